"""Stop calling a store that keeps failing, and try it again after a while.

A breaker is **closed** while the store works. After ``failure_threshold`` consecutive failures
(or, with ``failure_rate``, when that share of the last ``window`` calls failed) it **opens**:
every call then fails at once with :class:`~kvdeco.errors.CircuitOpenError`, without waiting
for a store that is not answering. After ``recovery_timeout`` seconds it is **half-open**: up to
``half_open_max_calls`` trial calls go through; the first success closes it, a failure opens it
again for another ``recovery_timeout``.

Only the errors in ``failure_on`` count (by default connection and timeout errors, kvdeco's and
the builtins). Errors that say the *call* was wrong, not the store (validation, read-only, size,
decryption: kvdeco's operation errors) never count, whatever ``failure_on`` says; nor does a
cancelled call. Each store instance has its own breaker, also on the class path; its state is
``store.circuit`` (:class:`Circuit`). Transitions are logged on ``kvdeco.circuit_breaker``.
There is no background task: the clock is read when a call arrives.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import enum
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from kvdeco._events import log_event
from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect, failed
from kvdeco.errors import CircuitOpenError, KeyValueOperationError
from kvdeco.operations import Call, Proceed
from kvdeco.wrappers._arguments import checked, exception_types, function, integer, number
from kvdeco.wrappers.base import AspectWrapper

__all__ = [
    "Circuit",
    "CircuitBreaker",
    "CircuitBreakerWrapper",
    "CircuitState",
    "with_circuit_breaker",
]

DEFAULT_FAILURE_ON: tuple[type[BaseException], ...] = tuple(
    # asyncio's TimeoutError is the builtin one from Python 3.11 on: name it once.
    dict.fromkeys((ConnectionError, TimeoutError, asyncio.TimeoutError))
)
_LOGGER = "kvdeco.circuit_breaker"


class CircuitState(enum.Enum):
    """Where a breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Circuit:
    """The state of one store's breaker, read through ``store.circuit``.

    Attributes:
        state: Closed, open or half-open, as of the last call (see :meth:`current_state`).
        consecutive_failures: Counted failures since the last success.
        opens: How many times the breaker has opened.
        rejected: Calls failed at once because the breaker was open (or half-open and full).
        trials: Trial calls let through while half-open.
    """

    def __init__(self, aspect: CircuitBreaker) -> None:
        self._aspect = aspect
        self.state = CircuitState.CLOSED
        self.consecutive_failures = 0
        self.opens = 0
        self.rejected = 0
        self.trials = 0
        self._opened_at = 0.0
        self._in_trial = 0
        self._recent: collections.deque[bool] = collections.deque(maxlen=aspect.window)

    @property
    def circuit(self) -> Circuit:
        """The breaker itself: what a decorated store exposes as ``store.circuit``."""
        return self

    def current_state(self) -> CircuitState:
        """The state now: an open breaker whose recovery time has passed is half-open."""
        if self.state is CircuitState.OPEN and self._retry_after() <= 0:
            self._move(CircuitState.HALF_OPEN)
        return self.state

    def reset(self) -> None:
        """Close the breaker and forget its failures (counts of opens and rejections stay)."""
        self._close()

    # -- calls ----------------------------------------------------------------------------

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        state = self.state if self.state is CircuitState.CLOSED else self.current_state()
        if state is CircuitState.CLOSED:
            return self._observed(call, proceed, trial=False)
        if state is CircuitState.HALF_OPEN and self._in_trial < self._aspect.half_open_max_calls:
            self._in_trial += 1
            self.trials += 1
            return self._observed(call, proceed, trial=True)
        self.rejected += 1
        wait = max(self._retry_after(), 0.0)
        return failed(
            CircuitOpenError(
                f"circuit open after {self.consecutive_failures} failures; next trial in "
                f"{wait:.3g} s",
                retry_after=wait,
                operation=call.op.name,
                collection=call.collection,
                key=None if call.op.many or not call.keys else call.keys[0],
            )
        )

    async def _observed(self, call: Call, proceed: Proceed, *, trial: bool) -> Any:
        try:
            result = await proceed(call)
        except BaseException as error:
            if trial:
                self._in_trial -= 1
            if self._counts(error):
                self._failed(trial)
            elif trial and isinstance(error, Exception):
                self._succeeded(trial)  # the store answered, even if it refused the call
            raise
        if trial:
            self._in_trial -= 1
        self._succeeded(trial)
        return result

    def _counts(self, error: BaseException) -> bool:
        return (
            isinstance(error, self._aspect.failure_on)
            and isinstance(error, Exception)
            and not isinstance(error, (KeyValueOperationError, CircuitOpenError))
        )

    # -- transitions --------------------------------------------------------------------------

    def _succeeded(self, trial: bool) -> None:
        if trial or self.state is CircuitState.HALF_OPEN:
            self._close()
            return
        self.consecutive_failures = 0
        self._recent.append(False)

    def _failed(self, trial: bool) -> None:
        self.consecutive_failures += 1
        self._recent.append(True)
        probing = trial or self.state is CircuitState.HALF_OPEN
        if probing or (self.state is CircuitState.CLOSED and self._tripped()):
            self._open()

    def _tripped(self) -> bool:
        aspect = self._aspect
        if self.consecutive_failures >= aspect.failure_threshold:
            return True
        if aspect.failure_rate is None or len(self._recent) < aspect.window:
            return False
        return sum(self._recent) / len(self._recent) >= aspect.failure_rate

    def _open(self) -> None:
        self._opened_at = self._aspect.clock()
        self.opens += 1
        self._move(CircuitState.OPEN)

    def _close(self) -> None:
        self.consecutive_failures = 0
        self._recent.clear()
        self._move(CircuitState.CLOSED)

    def _move(self, state: CircuitState) -> None:
        was, self.state = self.state, state
        if was is not state or state is CircuitState.OPEN:
            log_event(
                _LOGGER,
                logging.WARNING if state is CircuitState.OPEN else logging.INFO,
                f"circuit_{state.value}",
                previous=was.value,
                consecutive_failures=self.consecutive_failures,
                recovery_timeout=self._aspect.recovery_timeout,
            )

    def _retry_after(self) -> float:
        return self._opened_at + self._aspect.recovery_timeout - self._aspect.clock()

    def __repr__(self) -> str:
        return (
            f"<Circuit {self.state.value} failures={self.consecutive_failures} "
            f"opens={self.opens} rejected={self.rejected}>"
        )


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class CircuitBreaker(Aspect):
    """The aspect behind :func:`with_circuit_breaker`; see :class:`CircuitBreakerWrapper`."""

    label: ClassVar[str] = "with_circuit_breaker"
    exposed: ClassVar[tuple[str, ...]] = ("circuit",)
    failure_threshold: int = dataclasses.field(default=5, metadata=checked(integer, minimum=1))
    recovery_timeout: float = dataclasses.field(
        default=30.0, metadata=checked(number, inclusive=True)
    )
    half_open_max_calls: int = dataclasses.field(default=1, metadata=checked(integer, minimum=1))
    failure_on: tuple[type[BaseException], ...] = dataclasses.field(
        default=DEFAULT_FAILURE_ON, metadata=checked(exception_types)
    )
    failure_rate: float | None = dataclasses.field(
        default=None, metadata=checked(number, maximum=1, allow_none=True)
    )
    window: int = dataclasses.field(default=20, metadata=checked(integer, minimum=1))
    clock: Callable[[], float] = dataclasses.field(
        default=time.monotonic, metadata=checked(function)
    )

    def bind(self) -> Circuit:
        return Circuit(self)


class CircuitBreakerWrapper(AspectWrapper, exposes=CircuitBreaker):
    """A store that fails fast while it keeps failing, and tries again after a pause.

    Args:
        key_value: The store to wrap.
        failure_threshold: Consecutive counted failures that open the breaker.
        recovery_timeout: Seconds an open breaker waits before letting trial calls through.
        half_open_max_calls: Trial calls allowed at once while half-open.
        failure_on: The exception types that count as failures (kvdeco's operation errors
            never do).
        failure_rate: Also open when this share (0 to 1) of the last ``window`` calls failed.
        window: How many recent calls ``failure_rate`` looks at.
        clock: The monotonic clock, in seconds; replace it in tests.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = CircuitBreakerWrapper(MemoryStore(), failure_threshold=3, recovery_timeout=10)
        >>> store.circuit.state.value
        'closed'
    """

    def __init__(
        self,
        key_value: Any,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        half_open_max_calls: int = 1,
        failure_on: tuple[type[BaseException], ...] = DEFAULT_FAILURE_ON,
        *,
        failure_rate: float | None = None,
        window: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        aspect = CircuitBreaker(
            failure_threshold=failure_threshold,
            recovery_timeout=recovery_timeout,
            half_open_max_calls=half_open_max_calls,
            failure_on=failure_on,
            failure_rate=failure_rate,
            window=window,
            clock=clock,
        )
        super().__init__(key_value, aspect)

    if TYPE_CHECKING:
        # ``exposes=CircuitBreaker`` makes it read this store's breaker; the declaration only
        # tells type checkers what it is.

        @property
        def circuit(self) -> Circuit:
            """This store's breaker: its state and counts."""
            ...


with_circuit_breaker = DecoratorFactory(
    CircuitBreaker,
    CircuitBreakerWrapper,
    name="with_circuit_breaker",
    doc="""Decorate a store class or instance with a circuit breaker; use bare or called.

    Takes the keyword arguments of :class:`CircuitBreakerWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @with_circuit_breaker(failure_threshold=3, recovery_timeout=10)
        ... class GuardedStore(MemoryStore):
        ...     pass
        >>> GuardedStore().circuit.state.value
        'closed'
    """,
)
