"""Keep every TTL written to a store within a range.

A TTL is checked first and clamped second: an invalid TTL (0, negative, a bool, NaN,
infinity, not a number) raises :class:`~kvdeco.errors.InvalidTTLError` and is never clamped
into validity. A valid TTL below ``min_ttl`` becomes ``min_ttl``, above ``max_ttl`` becomes
``max_ttl``. A write without a TTL gets ``missing_ttl`` (itself clamped into the range, as
py-key-value 0.5 does); when that is ``None`` (the default) the entry stays without expiry.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Awaitable
from typing import Any, ClassVar

from kvdeco.aspect import Aspect, failed
from kvdeco.decorating import Decorator
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_ttl
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["TTLClamp", "TTLClampWrapper", "ttl_clamp"]


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    try:
        return check_ttl(value, "ttl_clamp")  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"{name} must be a finite number of seconds > 0, not {value!r}") from None


def _is_zero(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Real) and value == 0


@dataclasses.dataclass(frozen=True, repr=False)
class TTLClamp(Aspect):
    """The aspect behind :func:`ttl_clamp`."""

    label: ClassVar[str] = "ttl_clamp"
    # Only writes carry a TTL: reads and deletes go straight to the store.
    operations: ClassVar[frozenset[str] | None] = frozenset({"put", "put_many"})
    min_ttl: float
    max_ttl: float
    missing_ttl: float | None = None

    def __post_init__(self) -> None:
        # A lower bound of 0 is no lower bound (every valid TTL is already above it); it is
        # accepted because code written for py-key-value often says so.
        low = 0.0 if _is_zero(self.min_ttl) else _seconds(self.min_ttl, "min_ttl")
        high = _seconds(self.max_ttl, "max_ttl")
        if low > high:
            raise ValueError(f"min_ttl ({self.min_ttl!r}) is above max_ttl ({self.max_ttl!r})")
        object.__setattr__(self, "min_ttl", low)
        object.__setattr__(self, "max_ttl", high)
        if self.missing_ttl is not None:
            # Outside the range it is clamped into it, as py-key-value 0.5 does.
            missing = _seconds(self.missing_ttl, "missing_ttl")
            object.__setattr__(self, "missing_ttl", min(max(missing, low), high))

    def clamp(
        self, ttl: Any, operation: str = "put", collection: str | None = None
    ) -> float | None:
        """The TTL to write for a caller's ``ttl``.

        Raises:
            InvalidTTLError: ``ttl`` is not ``None`` nor a finite number > 0.
        """
        seconds = check_ttl(ttl, operation, collection)
        if seconds is None:
            return self.missing_ttl
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
        super().__init__(key_value, TTLClamp(min_ttl, max_ttl, missing_ttl))


def ttl_clamp(
    min_ttl: float, max_ttl: float, *, missing_ttl: float | None = None
) -> Decorator[TTLClampWrapper]:
    """Decorate a store class or instance so every TTL it writes is within a range.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @ttl_clamp(60, 86400)
        ... class CacheStore(MemoryStore):
        ...     pass
    """
    return Decorator(TTLClamp(min_ttl, max_ttl, missing_ttl), TTLClampWrapper)
