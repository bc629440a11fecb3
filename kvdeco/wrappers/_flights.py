"""Per-key bookkeeping of reads in flight and writes in progress, for one event loop.

Two wrappers need the same facts about a key (a collection and a key name):

- whether a write or delete of it began since a given read began (a read that saw the store
  before the write must not put what it saw into a cache, nor hand it to a read that started
  after the write began);
- which read of it is in flight now, so that concurrent reads share it (single-flight).

A :class:`Watch` is taken when a read begins; any write of that key that begins or ends
while the watch is open marks it stale. The bookkeeping holds only what is in flight, so it
stays as small as the number of concurrent operations, whatever the number of keys.

The first caller of a key reads it itself (no task, so an uncontended read costs little);
later callers wait for its result. A read that fails hands its error to every caller that
joined it. A joiner that is cancelled stops waiting and nobody else notices; when the caller
that reads is cancelled, its read stops and one of the joiners reads again.
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


class _LeaderGone(Exception):
    """The read a caller joined was cancelled with its caller: the joiner reads again."""


class _Flight:
    """One read in flight of one key: the watch it took and the future of its result.

    The future is made by the first caller that joins: an uncontended read makes none.
    """

    __slots__ = ("_future", "watch")

    def __init__(self, watch: Watch) -> None:
        self._future: asyncio.Future[Any] | None = None
        self.watch = watch

    def joined(self) -> asyncio.Future[Any]:
        """The future a joining caller waits for."""
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        return self._future

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        """Hand the read's result (or error) to the callers that joined, if any."""
        future = self._future
        if future is None:
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


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
        returns their results in order. The caller that fetched gets the results as read;
        every caller that joined gets its own copy. With ``share=False`` every key is
        fetched, and the read is not offered to others.
        """
        answers: dict[Slot, Any] = {}
        pending = list(dict.fromkeys(slots))
        while pending:
            joined: dict[Slot, asyncio.Future[Any]] = {}
            wanted: list[Slot] = []
            for slot in pending:
                flight = self._flights.get(slot) if share else None
                if flight is not None and not flight.watch.stale:
                    joined[slot] = flight.joined()  # before any await: the read may end
                else:
                    wanted.append(slot)
            if wanted:
                answers.update(await self._lead(wanted, fetch, share))
            pending = []
            for slot, future in joined.items():
                try:
                    # Shielded: a joiner's cancellation must not cancel the others' result.
                    answers[slot] = _copy(await asyncio.shield(future))
                except _LeaderGone:
                    pending.append(slot)  # its caller was cancelled: read it again
        out = []
        seen: set[Slot] = set()
        for slot in slots:
            out.append(_copy(answers[slot]) if slot in seen else answers[slot])
            seen.add(slot)
        return out

    async def _lead(self, wanted: list[Slot], fetch: Fetch, share: bool) -> dict[Slot, Any]:
        watches = [self.watch(slot) for slot in wanted]
        flights = [_Flight(watch) for watch in watches]
        if share:
            self._flights.update(zip(wanted, flights))
        try:
            results = await fetch(wanted, watches)
        except BaseException as error:
            handed: BaseException = (
                _LeaderGone() if isinstance(error, asyncio.CancelledError) else error
            )
            for flight in flights:
                flight.settle(error=handed)
            raise
        finally:
            for slot, watch, flight in zip(wanted, watches, flights):
                self.unwatch(slot, watch)
                if self._flights.get(slot) is flight:
                    del self._flights[slot]
        for flight, result in zip(flights, results):
            flight.settle(result)
        return dict(zip(wanted, results))


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
