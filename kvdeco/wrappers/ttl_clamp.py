"""Keep every TTL written to a store within a range.

A TTL is checked first and clamped second: an invalid TTL (0, negative, a bool, NaN,
infinity, not a number) raises :class:`~kvdeco.errors.InvalidTTLError` and is never clamped
into validity. A valid TTL below ``min_ttl`` becomes ``min_ttl``, above ``max_ttl`` becomes
``max_ttl``. A write without a TTL gets ``missing_ttl`` (itself clamped into the range, as
py-key-value 0.5 does); when that is ``None`` (the default) the entry stays without expiry.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
from collections.abc import Awaitable
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect, failed
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_ttl
from kvdeco.wrappers._arguments import checked
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["TTLClamp", "TTLClampWrapper", "ttl_clamp"]


def _seconds(
    value: object, name: str, *, zero_allowed: bool = False, none_allowed: bool = False
) -> float | None:
    """A bound or default TTL: a valid TTL in seconds, as a float.

    ``zero_allowed``: 0 is also accepted, as 0.0. ``none_allowed``: so is ``None``, kept.
    """
    if value is None and none_allowed:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if zero_allowed and value == 0:
        return 0.0
    try:
        return check_ttl(value, "ttl_clamp")
    except ValueError:
        raise ValueError(f"{name} must be a finite number of seconds > 0, not {value!r}") from None


@dataclasses.dataclass(frozen=True, repr=False)
class TTLClamp(Aspect):
    """The aspect behind :func:`ttl_clamp`."""

    label: ClassVar[str] = "ttl_clamp"
    # Only writes carry a TTL: reads and deletes go straight to the store.
    operations: ClassVar[frozenset[str] | None] = frozenset({"put", "put_many"})
    # A lower bound of 0 is no lower bound (every valid TTL is already above it); it is
    # accepted because code written for py-key-value often says so.
    min_ttl: float = dataclasses.field(metadata=checked(_seconds, zero_allowed=True))
    max_ttl: float = dataclasses.field(metadata=checked(_seconds))
    _: dataclasses.KW_ONLY
    missing_ttl: float | None = dataclasses.field(
        default=None, metadata=checked(_seconds, none_allowed=True)
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.min_ttl > self.max_ttl:
            raise ValueError(f"min_ttl ({self.min_ttl!r}) is above max_ttl ({self.max_ttl!r})")

    @functools.cached_property
    def _missing(self) -> float | None:
        # What a write without a TTL gets: missing_ttl clamped into the range, as py-key-value
        # 0.5 does. The field keeps what the caller gave.
        if self.missing_ttl is None:
            return None
        return min(max(self.missing_ttl, self.min_ttl), self.max_ttl)

    def clamp(
        self, ttl: Any, operation: str = "put", collection: str | None = None
    ) -> float | None:
        """The TTL to write for a caller's ``ttl``.

        Raises:
            InvalidTTLError: ``ttl`` is not ``None`` nor a finite number > 0.
        """
        seconds = check_ttl(ttl, operation, collection)
        if seconds is None:
            return self._missing
        return min(max(seconds, self.min_ttl), self.max_ttl)

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        """Clamp the TTL of writes; pass everything else on."""
        if call.op.kind is not Kind.WRITE:
            return proceed(call)
        try:
            ttl = self.clamp(call.ttl, call.op.name, call.collection)
        except Exception as error:
            return failed(error)
        return proceed(call if ttl is call.ttl else call.replace(ttl=ttl))


class TTLClampWrapper(AspectWrapper):
    """A store whose TTLs are kept within a range (the specification's ``TTLClampWrapper``).

    Args:
        key_value: The store to wrap.
        min_ttl: The shortest TTL written, in seconds (0: no lower bound).
        max_ttl: The longest TTL written, in seconds.
        missing_ttl: The TTL of writes that give none, clamped into ``min_ttl..max_ttl``;
            ``None`` keeps them without expiry.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = TTLClampWrapper(key_value=MemoryStore(), min_ttl=60, max_ttl=86400)
        >>> asyncio.run(store.put("test", {"data": "value"}, ttl=30))
        >>> round(asyncio.run(store.ttl("test"))[1])
        60
    """

    def __init__(
        self, key_value: Any, min_ttl: float, max_ttl: float, *, missing_ttl: float | None = None
    ) -> None:
        aspect = TTLClamp(min_ttl=min_ttl, max_ttl=max_ttl, missing_ttl=missing_ttl)
        super().__init__(key_value, aspect)


ttl_clamp = CalledDecoratorFactory(
    TTLClamp,
    TTLClampWrapper,
    name="ttl_clamp",
    doc="""Decorate a store class or instance so every TTL it writes is within a range.

    Takes the arguments of :class:`TTLClampWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @ttl_clamp(60, 86400)
        ... class CacheStore(MemoryStore):
        ...     pass
    """,
)
