"""Concurrent reads of the same key share one call to the store (single-flight).

While a ``get``, ``ttl``, ``get_many`` or ``ttl_many`` of a key is in flight, another read of
that key (same collection) waits for it instead of asking the store again. The shared call
is the store's ``ttl`` (``ttl_many`` for bulk reads), so a ``get`` and a ``ttl`` of one key
share too. A bulk read joins the flights of the keys already being read and asks the store
for the others in one ``ttl_many``.

What a read returns never predates a write it could have seen: a read that begins after a
write or delete of its key began (through this wrapper) never joins a flight that started
before, and each caller gets its own copy of the value. A failing read hands its error to
every caller that shared it. A caller that is cancelled stops waiting, and the others keep
waiting for the same call; the call is cancelled once nobody waits for it.

The bookkeeping is per wrapped store and per event loop: other processes, and writes made to
the store without this wrapper, are not seen.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import OPERATIONS, Call, Kind, Proceed
from kvdeco.wrappers._flights import Flights, Slot, Watch, guarded_write
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["SingleFlight", "SingleFlightWrapper", "single_flight"]

_TTL, _TTL_MANY = OPERATIONS["ttl"], OPERATIONS["ttl_many"]


def reshape(call: Call, entries: list[Any]) -> Any:
    """Turn ``(value, ttl)`` entries into what ``call``'s operation returns."""
    results = entries if call.op.with_ttl else [value for value, _ in entries]
    return results if call.op.many else results[0]


class _SingleFlightRuntime:
    """The per-store state of :class:`SingleFlight`: the reads in flight."""

    def __init__(self) -> None:
        self.flights = Flights()

    async def around(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op.kind is Kind.READ:
            return reshape(call, await self._shared(call, proceed))
        if op.is_write:
            return await guarded_write(self.flights, call, proceed)
        return await proceed(call)

    async def _shared(self, call: Call, proceed: Proceed) -> list[Any]:
        async def fetch(wanted: list[Slot], watches: list[Watch]) -> list[Any]:
            keys = [key for _, key in wanted]
            if not call.op.many:
                return [await proceed(call.replace(op=_TTL, keys=keys))]
            return list(await proceed(call.replace(op=_TTL_MANY, keys=keys)))

        slots = [(call.collection, key) for key in call.keys]
        return await self.flights.read(slots, fetch)


@dataclasses.dataclass(frozen=True, repr=False)
class SingleFlight(Aspect):
    """The aspect behind :func:`single_flight`; it has no options."""

    label: ClassVar[str] = "single_flight"

    def bind(self) -> _SingleFlightRuntime:
        """Each store gets its own reads in flight."""
        return _SingleFlightRuntime()


class SingleFlightWrapper(AspectWrapper):
    """A store whose concurrent reads of one key share a single call to the store.

    Args:
        key_value: The store to wrap.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = SingleFlightWrapper(key_value=MemoryStore())
        >>> asyncio.run(store.put("k", {"v": 1}))
        >>> asyncio.run(store.get("k"))
        {'v': 1}
    """

    def __init__(self, key_value: Any) -> None:
        super().__init__(key_value, SingleFlight())


single_flight = DecoratorFactory(
    SingleFlight,
    SingleFlightWrapper,
    name="single_flight",
    doc="""Decorate a store class or instance so concurrent reads of a key share one call.

    Use bare (``@single_flight``) or called (``@single_flight()``).

    Example:
        >>> from kvdeco import MemoryStore
        >>> @single_flight
        ... class SharedReads(MemoryStore):
        ...     pass
    """,
)
