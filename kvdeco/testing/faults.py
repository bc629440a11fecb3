"""Stores for testing wrappers: one that fails or stalls on a schedule, one that records what
reached it.

Both wrap a real store and keep every capability it has (``keys()``, ``destroy()``...), so
they can sit at the bottom of any stack::

    inner = RecordingStore(MemoryStore())
    store = TTLClampWrapper(inner, min_ttl=60, max_ttl=3600)
    await store.put("k", {}, ttl=5)
    assert inner.ttls == [60]

    flaky = FlakyStore(MemoryStore(), [ConnectionError, TimeoutError])
    store = RetryWrapper(flaky, max_retries=3, initial_delay=0)
    await store.get("k")          # fails twice inside, succeeds on the third attempt
    assert flaky.calls["get"] == 3

    hanging = FlakyStore.failing(MemoryStore(), math.inf)   # every call hangs
    with pytest.raises(TimeoutError):
        await TimeoutWrapper(hanging, timeout=0.01).get("k")
    assert hanging.cancelled == ["get"]                     # the stalled call was cancelled
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, cast

from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["FlakyStore", "RecordedCall", "RecordingStore"]

Fault = BaseException | type[BaseException] | float | None
"""What one call meets: an exception (instance or class) to raise, a number of seconds to
stall before the call goes on (a slow server; ``math.inf`` hangs until the call is
cancelled), or ``None`` to succeed."""

Schedule = Iterable[Fault] | Callable[[str, int], Fault]
"""Either the faults of successive calls in order (the calls after it runs out succeed), or a
function of ``(operation name, number of the call counted from 0)`` returning the fault."""


@dataclasses.dataclass(frozen=True, repr=False)
class _Recording(Aspect):
    """The aspect of :class:`RecordingStore`: each store it is bound to gets its own log."""

    label: ClassVar[str] = "recording"

    def bind(self) -> _Recorder:
        return _Recorder()


@dataclasses.dataclass(frozen=True, repr=False)
class _Flaky(Aspect):
    """The aspect of :class:`FlakyStore`: each store it is bound to follows its own schedule."""

    label: ClassVar[str] = "flaky"
    schedule: Schedule = ()
    only: frozenset[str] | None = None

    def bind(self) -> _Faults:
        return _Faults(self.schedule, self.only)


@dataclasses.dataclass(frozen=True)
class RecordedCall:
    """One call that reached a :class:`RecordingStore`.

    Attributes:
        operation: The operation name (``"put_many"``, ``"keys"``...).
        collection: The collection as it arrived.
        keys: The keys as they arrived.
        ttl: The TTL of a write, as it arrived; ``None`` for other operations.
    """

    operation: str
    collection: str | None
    keys: tuple[str, ...]
    ttl: Any = None


class _Recorder:
    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.log: list[RecordedCall] = []

    async def around(self, call: Call, proceed: Proceed) -> Any:
        name = call.op.name
        self.calls[name] += 1
        keys = tuple(call.keys) if not isinstance(call.keys, str) else (call.keys,)
        ttl = call.ttl if call.op.kind is Kind.WRITE else None
        self.log.append(RecordedCall(name, call.collection, keys, ttl))
        return await proceed(call)


class RecordingStore(AspectWrapper):
    """Passes every call to ``store`` and records it.

    Args:
        store: The store that does the work.

    Attributes:
        calls: How many times each operation was called, by name.
        log: Every call in order, as :class:`RecordedCall`.
        operations: The operation of every call, in order.
        ttls: The TTL of every write, in order.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = RecordingStore(MemoryStore())
        >>> asyncio.run(store.put_many(["a", "b"], [{}, {}], ttl=5))
        >>> store.calls["put_many"], store.ttls
        (1, [5])
    """

    def __init__(self, store: Any) -> None:
        super().__init__(store, _Recording())

    @property
    def calls(self) -> collections.Counter[str]:
        """How many times each operation was called, by name."""
        return self._recorder.calls

    @property
    def log(self) -> list[RecordedCall]:
        """Every call in order."""
        return self._recorder.log

    @property
    def operations(self) -> list[str]:
        """The operation of every call, in order (``["put_many", "get_many"]``)."""
        return [entry.operation for entry in self.log]

    @property
    def ttls(self) -> list[Any]:
        """The TTL of every write (``put`` and ``put_many``) that reached the store, in order."""
        return [entry.ttl for entry in self.log if entry.operation in ("put", "put_many")]

    def reset(self) -> None:
        """Forget every recorded call."""
        # Cleared in place: a wrapper stacked on this one holds on to the same recorder.
        self.calls.clear()
        self.log.clear()

    @property
    def _recorder(self) -> _Recorder:
        return cast(_Recorder, self._self_runtime)


class _Faults:
    def __init__(self, schedule: Schedule, operations: frozenset[str] | None) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.raised: list[BaseException] = []
        self.cancelled: list[str] = []
        self.stalling = 0
        # Futures of the callers of wait_for_stall(), each made on its caller's event loop.
        self.waiters: list[asyncio.Future[None]] = []
        self.operations = operations
        self.set(schedule)

    def set(self, schedule: Schedule) -> None:
        self.numbered: Callable[[str, int], Fault] | None = None
        self.pending: Iterator[Fault] | None = None
        if callable(schedule):
            self.numbered = schedule
        else:
            self.pending = iter(schedule)
        self.counted = 0

    def next_fault(self, name: str) -> Fault:
        if self.operations is not None and name not in self.operations:
            return None
        number, self.counted = self.counted, self.counted + 1
        if self.numbered is not None:
            return self.numbered(name, number)
        assert self.pending is not None
        return next(self.pending, None)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        name = call.op.name
        self.calls[name] += 1
        fault = self.next_fault(name)
        if isinstance(fault, type):
            fault = fault(f"injected fault in {name}")
        if isinstance(fault, BaseException):
            self.raised.append(fault)
            raise fault
        if fault is not None:
            await self.stall(name, fault)
        return await proceed(call)

    async def stall(self, name: str, seconds: float) -> None:
        self.stalling += 1
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()
        try:
            if math.isinf(seconds):
                await asyncio.get_running_loop().create_future()  # never done: a hang
            else:
                await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            self.cancelled.append(name)
            raise
        finally:
            self.stalling -= 1

    async def wait_for_stall(self) -> None:
        if self.stalling:
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        await waiter


class FlakyStore(AspectWrapper):
    """Passes calls to ``store`` but fails the ones its schedule says, before they reach it.

    A failed call changes nothing in ``store``, as a request lost on the way to a server would.

    Args:
        store: The store that does the work.
        schedule: The faults of successive calls (``[ConnectionError, None, TimeoutError()]``;
            calls after the list runs out succeed), or a function ``(operation, n) -> fault``.
            An exception class is instantiated with a message naming the operation; a number
            stalls the call that many seconds before it reaches ``store`` (``math.inf``: until
            the call is cancelled, as a server that never answers).
        operations: Only calls of these operations consume the schedule; others always pass.

    Attributes:
        calls: How many times each operation was called (failed calls included).
        raised: Every exception raised, in order (the last is what a retry should re-raise).
        cancelled: The operation of every call cancelled while it stalled, in order: a
            timeout that gave up on the call, or a caller that cancelled it.
        stalling: How many calls are stalling now.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = FlakyStore(MemoryStore(), [ConnectionError])
        >>> asyncio.run(store.get("k"))
        Traceback (most recent call last):
        ConnectionError: injected fault in get
        >>> asyncio.run(store.get("k")) is None
        True
    """

    def __init__(
        self,
        store: Any,
        schedule: Schedule = (),
        *,
        operations: Iterable[str] | None = None,
    ) -> None:
        if not callable(schedule) and not isinstance(schedule, Iterable):
            raise TypeError("schedule must be an iterable of faults or a function (operation, n)")
        super().__init__(
            store, _Flaky(schedule, None if operations is None else frozenset(operations))
        )

    @classmethod
    def failing(cls, store: Any, error: Fault = ConnectionError) -> FlakyStore:
        """A store that fails every call with ``error`` (an outage) until :meth:`recover`.

        ``error`` may also be a number of seconds: every call then stalls that long
        (``math.inf``: hangs until cancelled).
        """
        flaky = cls(store)
        flaky.outage(error)
        return flaky

    def schedule(self, schedule: Schedule) -> None:
        """Replace the schedule; the count of calls for a numbered schedule restarts at 0."""
        self._faults.set(schedule)

    def outage(self, error: Fault = ConnectionError) -> None:
        """Fail every call from now on with ``error``, until :meth:`recover` (a server down).

        Only the calls of the chosen ``operations`` fail, when the store was given some.
        """
        self.schedule(lambda _name, _n: error)

    def recover(self) -> None:
        """End the faults: every call from now on succeeds (a server back up)."""
        self.schedule(())

    async def wait_for_stall(self) -> None:
        """Return once a call is stalling (at once if one is now): the moment to cancel it."""
        await self._faults.wait_for_stall()

    @property
    def calls(self) -> collections.Counter[str]:
        """How many times each operation was called, failed calls included."""
        return self._faults.calls

    @property
    def raised(self) -> list[BaseException]:
        """Every exception raised so far, in order."""
        return self._faults.raised

    @property
    def cancelled(self) -> list[str]:
        """The operation of every call cancelled while it stalled, in order."""
        return self._faults.cancelled

    @property
    def stalling(self) -> int:
        """How many calls are stalling now."""
        return self._faults.stalling

    @property
    def _faults(self) -> _Faults:
        return cast(_Faults, self._self_runtime)
