"""A bulkhead: at most ``max_concurrent`` operations in flight on a store.

A call beyond the limit waits for a slot, first come first served; with ``timeout`` it waits at
most that long and then fails with :class:`~kvdeco.errors.BulkheadFullError`. A bulk operation
takes one slot, like any call. A slot is handed from the call that frees it straight to the
next waiter, so a burst cannot overtake the queue; a waiter that is cancelled, or gives up,
leaves the queue (and passes on a slot it had just been handed), so no slot ever leaks. Each
store instance has its own slots, also on the class path (``store.concurrency``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import BulkheadFullError
from kvdeco.operations import Call, Proceed
from kvdeco.wrappers._arguments import checked, integer, number
from kvdeco.wrappers.base import AspectWrapper

__all__ = [
    "ConcurrencyLimit",
    "ConcurrencyLimitWrapper",
    "ConcurrencySlots",
    "limit_concurrency",
]


class ConcurrencySlots:
    """One store's slots, read through ``store.concurrency``.

    Attributes:
        max_concurrent: The limit.
        in_flight: Calls holding a slot now.
        rejected: Calls that gave up waiting (``BulkheadFullError``).
    """

    def __init__(self, aspect: ConcurrencyLimit) -> None:
        self.max_concurrent = aspect.max_concurrent
        self._timeout = aspect.timeout
        self.in_flight = 0
        self.rejected = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def concurrency(self) -> ConcurrencySlots:
        """These slots: what a decorated store exposes as ``store.concurrency``."""
        return self

    @property
    def waiting(self) -> int:
        """Calls waiting for a slot now."""
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if self.in_flight < self.max_concurrent and not self._waiters:
            self.in_flight += 1
        else:
            await self._wait(call)
        try:
            return await proceed(call)
        finally:
            self._release()

    async def _wait(self, call: Call) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            if self._timeout is None:
                await waiter
            else:
                await asyncio.wait_for(asyncio.shield(waiter), self._timeout)
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed a slot just as it gave up: pass the slot on
            else:
                waiter.cancel()
                self._forget(waiter)
            if isinstance(error, (asyncio.TimeoutError, TimeoutError)) and not isinstance(
                error, asyncio.CancelledError
            ):
                self.rejected += 1
                raise BulkheadFullError(
                    f"all {self.max_concurrent} slots stayed busy for {self._timeout} s",
                    operation=call.op.name,
                    collection=call.collection,
                ) from None
            raise

    def _forget(self, waiter: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):  # already popped by a release
            self._waiters.remove(waiter)

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot moves to the waiter: in_flight is unchanged
                return
        self.in_flight -= 1

    def __repr__(self) -> str:
        return f"<ConcurrencySlots {self.in_flight}/{self.max_concurrent} waiting={self.waiting}>"


@dataclasses.dataclass(frozen=True, repr=False)
class ConcurrencyLimit(Aspect):
    """The aspect behind :func:`limit_concurrency`; see :class:`ConcurrencyLimitWrapper`."""

    label: ClassVar[str] = "limit_concurrency"
    exposed: ClassVar[tuple[str, ...]] = ("concurrency",)
    max_concurrent: int = dataclasses.field(metadata=checked(integer, minimum=1))
    _: dataclasses.KW_ONLY
    timeout: float | None = dataclasses.field(
        default=None, metadata=checked(number, inclusive=True, allow_none=True)
    )

    def bind(self) -> ConcurrencySlots:
        return ConcurrencySlots(self)


class ConcurrencyLimitWrapper(AspectWrapper, exposes=ConcurrencyLimit):
    """A store with at most ``max_concurrent`` operations in flight (a bulkhead).

    Args:
        key_value: The store to wrap.
        max_concurrent: The most operations in flight at once.
        timeout: The longest a call waits for a slot before ``BulkheadFullError``; ``None``
            waits as long as it takes.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = ConcurrencyLimitWrapper(MemoryStore(), max_concurrent=10, timeout=1.0)
        >>> store.concurrency.in_flight
        0
    """

    def __init__(
        self, key_value: Any, max_concurrent: int, *, timeout: float | None = None
    ) -> None:
        aspect = ConcurrencyLimit(max_concurrent=max_concurrent, timeout=timeout)
        super().__init__(key_value, aspect)

    if TYPE_CHECKING:
        # ``exposes=ConcurrencyLimit`` makes it read this store's slots; the declaration
        # only tells type checkers what it is.

        @property
        def concurrency(self) -> ConcurrencySlots:
            """This store's slots."""
            ...


limit_concurrency = CalledDecoratorFactory(
    ConcurrencyLimit,
    ConcurrencyLimitWrapper,
    name="limit_concurrency",
    doc="""Decorate a store class or instance to allow at most ``max_concurrent`` calls at once.

    Takes the arguments of :class:`ConcurrencyLimitWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @limit_concurrency(50, timeout=2.0)
        ... class BoundedStore(MemoryStore):
        ...     pass
    """,
)
