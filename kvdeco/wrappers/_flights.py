"""Per-key bookkeeping of reads in flight and writes in progress, for one event loop.

Two wrappers need the same facts about a key (a collection and a key name):

- whether a write or delete of it began since a given read began (a read that saw the store
  before the write must not put what it saw into a cache, nor hand it to a read that started
  after the write began);
- which read of it is in flight now, so that concurrent reads share it (single-flight).

A :class:`Watch` is taken when a read begins; any write of that key that begins or ends
while the watch is open marks it stale. The bookkeeping holds only what is in flight, so it
stays as small as the number of concurrent operations, whatever the number of keys.

Shared reads run in a task of their own: a caller that is cancelled stops waiting without
cancelling the read for the others; the read is cancelled only when every caller has gone.
A read that fails hands its error to every caller waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from typing import Any

from kvdeco.operations import Call, Proceed
from kvdeco.validation import fresh_copy

__all__ = ["Flights", "Watch", "guarded_write"]

Slot = tuple[Hashable, str]
"""A key as the bookkeeping sees it: (collection, key)."""

Fetch = Callable[[list[Slot], list["Watch"]], Awaitable[Sequence[Any]]]
"""Reads the given keys in one call and returns one result per key, in order."""


class Watch:
    """Whether a write of one key began or ended since the watch was taken."""

    __slots__ = ("stale",)

    def __init__(self, stale: bool) -> None:
        self.stale = stale


class _Batch:
    """One inner read shared by the callers of its keys; cancelled when they have all gone."""

    __slots__ = ("slots", "task", "waiters")

    def __init__(self, slots: list[Slot], task: asyncio.Future[Sequence[Any]]) -> None:
        self.slots = slots
        self.task = task
        self.waiters = 0


class _Flight:
    __slots__ = ("batch", "index", "joined", "watch")

    def __init__(self, batch: _Batch, index: int, watch: Watch) -> None:
        self.batch = batch
        self.index = index
        self.watch = watch
        self.joined = 0


class Flights:
    """The reads in flight and writes in progress of one store, by key."""

    def __init__(self) -> None:
        self._watches: dict[Slot, list[Watch]] = {}
        self._writers: dict[Slot, int] = {}
        self._flights: dict[Slot, _Flight] = {}

    # -- writes invalidate -------------------------------------------------------------

    def watch(self, slot: Slot) -> Watch:
        """Start watching ``slot`` for writes; call :meth:`unwatch` when the read is over."""
        watch = Watch(stale=slot in self._writers)
        self._watches.setdefault(slot, []).append(watch)
        return watch

    def unwatch(self, slot: Slot, watch: Watch) -> None:
        """Stop watching ``slot`` with ``watch``."""
        watches = self._watches.get(slot)
        if watches is None:
            return
        with contextlib.suppress(ValueError):
            watches.remove(watch)
        if not watches:
            del self._watches[slot]

    def _mark_stale(self, slot: Slot) -> None:
        for watch in self._watches.get(slot, ()):
            watch.stale = True
        # A read started before this write must not be shared with reads that start after.
        self._flights.pop(slot, None)

    @contextlib.contextmanager
    def writing(self, slots: Sequence[Slot]) -> Iterator[None]:
        """Mark ``slots`` as being written for the duration of the block.

        Every watch open at the start, taken during, or open at the end of the block is
        stale, whether the write succeeds or fails (a failed write may have landed).
        """
        distinct = list(dict.fromkeys(slots))
        for slot in distinct:
            self._writers[slot] = self._writers.get(slot, 0) + 1
            self._mark_stale(slot)
        try:
            yield
        finally:
            for slot in distinct:
                left = self._writers[slot] - 1
                if left:
                    self._writers[slot] = left
                else:
                    del self._writers[slot]
                self._mark_stale(slot)

    @contextlib.contextmanager
    def clearing(self, collection: Any = None, *, everything: bool = False) -> Iterator[None]:
        """Mark every key of ``collection`` (or of every collection) as written, before and
        after the block: for ``destroy_collection`` and ``destroy``."""

        def affected() -> list[Slot]:
            known = set(self._watches) | set(self._flights)
            return [slot for slot in known if everything or slot[0] == collection]

        for slot in affected():
            self._mark_stale(slot)
        try:
            yield
        finally:
            for slot in affected():
                self._mark_stale(slot)

    # -- reads share ---------------------------------------------------------------------

    async def read(self, slots: Sequence[Slot], fetch: Fetch, *, share: bool = True) -> list[Any]:
        """Read ``slots``, joining reads in flight and fetching the rest in one call.

        ``fetch`` gets the keys no clean read is in flight for, with one watch each, and
        returns their results in order. Each caller gets its own copy of a shared result.
        With ``share=False`` every key is fetched, and the read is not offered to others.
        """
        joined: dict[Slot, _Flight] = {}
        wanted: list[Slot] = []
        for slot in dict.fromkeys(slots):
            flight = self._flights.get(slot) if share else None
            if flight is not None and not flight.watch.stale:
                joined[slot] = flight
            else:
                wanted.append(slot)
        if wanted:
            self._start(wanted, fetch, joined, share)
        batches = list({id(f.batch): f.batch for f in joined.values()}.values())
        results = await self._wait(batches)
        answers: dict[Slot, Any] = {}
        for slot, flight in joined.items():
            value = results[id(flight.batch)][flight.index]
            flight.joined += 1
            # The first caller takes the result as read; every later one gets a copy.
            answers[slot] = value if flight.joined == 1 else _copy(value)
        out = []
        seen: set[Slot] = set()
        for slot in slots:
            value = answers[slot]
            out.append(_copy(value) if slot in seen else value)
            seen.add(slot)
        return out

    def _start(
        self, wanted: list[Slot], fetch: Fetch, joined: dict[Slot, _Flight], share: bool
    ) -> None:
        watches = [self.watch(slot) for slot in wanted]

        async def run() -> Sequence[Any]:
            try:
                return await fetch(wanted, watches)
            finally:
                for slot, watch in zip(wanted, watches):
                    self.unwatch(slot, watch)
                    if self._flights.get(slot) is flights[slot]:
                        del self._flights[slot]

        batch = _Batch(wanted, asyncio.ensure_future(run()))
        flights = {slot: _Flight(batch, i, w) for i, (slot, w) in enumerate(zip(wanted, watches))}
        if share:
            self._flights.update(flights)
        joined.update(flights)

    async def _wait(self, batches: list[_Batch]) -> dict[int, Sequence[Any]]:
        if not batches:
            return {}
        for batch in batches:
            batch.waiters += 1
        try:
            await asyncio.wait([asyncio.shield(b.task) for b in batches])
        except asyncio.CancelledError:
            for batch in batches:
                batch.waiters -= 1
                if not batch.waiters:
                    self._abandon(batch)
            raise
        for batch in batches:
            batch.waiters -= 1
        # result() raises the read's error (or CancelledError) in every caller.
        return {id(b): b.task.result() for b in batches}

    def _abandon(self, batch: _Batch) -> None:
        """Cancel a read nobody waits for, so that no later caller joins it."""
        for slot in batch.slots:
            flight = self._flights.get(slot)
            if flight is not None and flight.batch is batch:
                del self._flights[slot]
        batch.task.cancel()


def _copy(value: Any) -> Any:
    if isinstance(value, tuple):  # (value, ttl) of ttl()
        return (fresh_copy(value[0]), *value[1:])
    return fresh_copy(value)


async def guarded_write(flights: Flights, call: Call, proceed: Proceed) -> Any:
    """Run a write, delete or destroy with its keys marked as being written."""
    op = call.op
    if op.name == "destroy":
        guard = flights.clearing(everything=True)
    elif op.name == "destroy_collection":
        guard = flights.clearing(call.collection)
    else:
        guard = flights.writing([(call.collection, key) for key in call.keys])
    with guard:
        return await proceed(call)
