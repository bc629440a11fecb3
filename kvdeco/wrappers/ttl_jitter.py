"""Spread the TTLs written to a store, so entries written together do not expire together.

Each TTL written is multiplied by a factor drawn uniformly from ``1 - fraction`` to
``1 + fraction``: with the default ``fraction=0.1``, a TTL of 600 s becomes anything from
540 s to 660 s. The result is never below ``floor`` (a small positive number of seconds, so
a TTL never becomes 0). A write without a TTL stays without one, and an invalid TTL is
refused with :class:`~kvdeco.errors.InvalidTTLError` as the store would, never jittered into
validity. Give ``seed`` for a repeatable sequence (each store draws from its own source).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Awaitable
from typing import Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect, failed
from kvdeco.operations import Call, Proceed
from kvdeco.validation import check_ttl
from kvdeco.wrappers._arguments import checked, number
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["TTLJitter", "TTLJitterWrapper", "ttl_jitter"]


_WRITES = frozenset({"put", "put_many"})


class _JitterRuntime:
    """The per-store state of :class:`TTLJitter`: its random source."""

    # Only writes carry a TTL: reads and deletes go straight to the store.
    operations: ClassVar[frozenset[str]] = _WRITES

    def __init__(self, aspect: TTLJitter) -> None:
        self.aspect = aspect
        self.random = random.Random(aspect.seed)

    def jittered(self, ttl: Any, operation: str = "put", collection: str | None = None) -> Any:
        """The TTL to write instead of ``ttl``.

        Raises:
            InvalidTTLError: ``ttl`` is not ``None`` nor a finite number > 0.
        """
        seconds = check_ttl(ttl, operation, collection)
        if seconds is None:
            return None
        fraction = self.aspect.fraction
        factor = 1.0 + self.random.uniform(-fraction, fraction)
        return max(seconds * factor, self.aspect.floor)

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        try:
            ttl = self.jittered(call.ttl, call.op.name, call.collection)
        except Exception as error:
            return failed(error)
        return proceed(call.replace(ttl=ttl))


def _fraction(value: Any, name: str) -> float:
    fraction: float = number(value, name, inclusive=True)
    if fraction > 1:
        raise ValueError(f"{name} must be between 0 and 1, not {value!r}")
    return fraction


def _seed(value: Any, name: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    return value


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class TTLJitter(Aspect):
    """The aspect behind :func:`ttl_jitter`; see :class:`TTLJitterWrapper` for the arguments."""

    label: ClassVar[str] = "ttl_jitter"
    operations: ClassVar[frozenset[str] | None] = _WRITES
    fraction: float = dataclasses.field(default=0.1, metadata=checked(_fraction))
    seed: int | None = dataclasses.field(default=None, metadata=checked(_seed))
    floor: float = dataclasses.field(default=0.001, metadata=checked(number))

    def bind(self) -> _JitterRuntime:
        """Each store draws from its own random source."""
        return _JitterRuntime(self)


class TTLJitterWrapper(AspectWrapper):
    """A store whose written TTLs are spread at random within ``±fraction``.

    Args:
        key_value: The store to wrap.
        fraction: How far a TTL may move, as a share of it (0 to 1; 0.1 is ±10 %).
        seed: Seed of the random source, for a repeatable sequence; ``None`` seeds from the
            operating system.
        floor: The shortest TTL written, in seconds (> 0).

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = TTLJitterWrapper(key_value=MemoryStore(), fraction=0.1)
        >>> asyncio.run(store.put("k", {"v": 1}, ttl=600))
        >>> 540 <= asyncio.run(store.ttl("k"))[1] <= 660
        True
    """

    def __init__(
        self,
        key_value: Any,
        fraction: float = 0.1,
        *,
        seed: int | None = None,
        floor: float = 0.001,
    ) -> None:
        super().__init__(key_value, TTLJitter(fraction=fraction, seed=seed, floor=floor))


ttl_jitter = DecoratorFactory(
    TTLJitter,
    TTLJitterWrapper,
    name="ttl_jitter",
    doc="""Decorate a store class or instance to spread every TTL it writes; use bare or called.

    Takes the keyword arguments of :class:`TTLJitterWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @ttl_jitter(fraction=0.2)
        ... class SpreadStore(MemoryStore):
        ...     pass
    """,
)
