"""Retry operations that fail for a passing reason (a dropped connection, a timeout).

The first attempt runs with nothing around it but a ``try``: tenacity is only engaged after a
failure, with a fresh controller per call (a controller keeps statistics that concurrent tasks
would share). The failure that started the retrying is replayed into tenacity as its first
attempt, so custom ``stop=``/``wait=`` strategies see every attempt.

Never retried, whatever ``retry_on`` says: kvdeco's operation errors (a refused write, an
invalid TTL, data that does not decrypt: trying again gives the same answer) and anything
that is not an ``Exception`` (``CancelledError``, ``KeyboardInterrupt``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from typing import Any, ClassVar

import tenacity

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import KeyValueOperationError
from kvdeco.operations import Call, Proceed
from kvdeco.wrappers._arguments import checked, exception_types, integer, number
from kvdeco.wrappers._attempts import ATTEMPT_OBSERVER
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["Retry", "RetryWrapper", "with_retry"]

DEFAULT_RETRY_ON: tuple[type[BaseException], ...] = tuple(
    dict.fromkeys((ConnectionError, TimeoutError, asyncio.TimeoutError))
)
"""Connection errors and timeouts (asyncio's is the builtin one from Python 3.11)."""


async def _sleep(seconds: float) -> None:
    # Looked up when each controller is built, so tests can replace it.
    await asyncio.sleep(seconds)


def _may_retry(error: BaseException) -> bool:
    return isinstance(error, Exception) and not isinstance(error, KeyValueOperationError)


def _exception_types(value: Any, name: str) -> tuple[type[BaseException], ...]:
    types = exception_types(value, name)
    if TimeoutError in types and asyncio.TimeoutError not in types:
        # Before Python 3.11 asyncio's TimeoutError is not the builtin one.
        types += (asyncio.TimeoutError,)
    return tuple(dict.fromkeys(types))  # on 3.11 the default names TimeoutError twice


def _strategy(value: Any, name: str, *, base: type) -> Any:
    if value is not None and not isinstance(value, base):
        raise TypeError(f"{name} must be a tenacity {base.__name__} or None, not {value!r}")
    return value


_SECONDS = checked(number, inclusive=True)


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Retry(Aspect):
    """The aspect behind :func:`with_retry`; see :class:`RetryWrapper` for the arguments."""

    label: ClassVar[str] = "with_retry"
    max_retries: int = dataclasses.field(default=3, metadata=checked(integer, minimum=0))
    initial_delay: float = dataclasses.field(default=0.1, metadata=_SECONDS)
    max_delay: float = dataclasses.field(default=10.0, metadata=_SECONDS)
    exponential_base: float = dataclasses.field(
        default=2.0, metadata=checked(number, minimum=1, inclusive=True)
    )
    retry_on: tuple[type[BaseException], ...] = dataclasses.field(
        default=DEFAULT_RETRY_ON, metadata=checked(_exception_types)
    )
    jitter: float = dataclasses.field(default=0.0, metadata=_SECONDS)
    stop: Any = dataclasses.field(
        default=None, metadata=checked(_strategy, base=tenacity.stop.stop_base)
    )
    wait: Any = dataclasses.field(
        default=None, metadata=checked(_strategy, base=tenacity.wait.wait_base)
    )
    retry: Any = dataclasses.field(
        default=None, metadata=checked(_strategy, base=tenacity.retry_base)
    )

    @functools.cached_property
    def _catch(self) -> tuple[type[BaseException], ...]:
        # What the first attempt catches. Only picklable state is kept on the aspect:
        # tenacity's objects are built when a call first fails.
        return (Exception,) if self.retry is not None else self.retry_on

    async def around(self, call: Call, proceed: Proceed) -> Any:
        observer = ATTEMPT_OBSERVER.get()
        if observer is not None:  # a tracing layer above shows each attempt as a span
            proceed = functools.partial(observer, proceed)
        try:
            return await proceed(call)
        except self._catch as error:
            if not _may_retry(error):
                raise
            first = error
        return await self._retrying(call, proceed, first)

    def _controller(self) -> tenacity.AsyncRetrying:
        wait = self.wait
        if wait is None:
            wait = tenacity.wait_exponential(
                multiplier=self.initial_delay, max=self.max_delay, exp_base=self.exponential_base
            )
            if self.jitter:
                wait = wait + tenacity.wait_random(0, self.jitter)
        if self.retry is None:
            retry_on = self.retry_on
            retry = tenacity.retry_if_exception(
                lambda error: isinstance(error, retry_on) and _may_retry(error)
            )
        else:
            # A tenacity ``retry=`` strategy decides, but never against the guard.
            retry = tenacity.retry_if_exception(_may_retry) & self.retry
        return tenacity.AsyncRetrying(
            sleep=_sleep,
            stop=self.stop or tenacity.stop_after_attempt(self.max_retries + 1),
            wait=wait,
            retry=retry,
            reraise=True,
        )

    async def _retrying(self, call: Call, proceed: Proceed, first: BaseException) -> Any:
        replay: BaseException | None = first
        async for attempt in self._controller():
            with attempt:
                if replay is not None:
                    # The failed first attempt, replayed so tenacity counts and waits for it.
                    error, replay = replay, None
                    raise error
                return await proceed(call)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


class RetryWrapper(AspectWrapper):
    """A store that retries failed operations with exponential backoff.

    An operation is tried ``max_retries + 1`` times at most. Before retry ``n`` (from 0) it
    waits ``min(initial_delay * exponential_base ** n, max_delay)`` seconds, plus up to
    ``jitter`` seconds at random. When every attempt fails the last error is raised as it was.

    Args:
        key_value: The store to wrap.
        max_retries: Retries after the first attempt.
        initial_delay: Seconds to wait before the first retry.
        max_delay: The longest wait between two attempts.
        exponential_base: How much each wait grows over the previous one.
        retry_on: The exception types worth retrying. kvdeco's ``StoreConnectionError`` and
            ``StoreTimeoutError`` and ``TimeoutWrapper``'s timeouts are among the defaults.
        jitter: Up to this many seconds added at random to each wait.
        stop: A tenacity stop strategy, used instead of ``max_retries``.
        wait: A tenacity wait strategy, used instead of the delays above.
        retry: A tenacity retry strategy, used instead of ``retry_on``. Operation errors and
            cancellation are still never retried.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = RetryWrapper(key_value=MemoryStore(), max_retries=3, initial_delay=0.1)
    """

    def __init__(
        self,
        key_value: Any,
        max_retries: int = 3,
        initial_delay: float = 0.1,
        max_delay: float = 10.0,
        exponential_base: float = 2.0,
        retry_on: tuple[type[BaseException], ...] = DEFAULT_RETRY_ON,
        *,
        jitter: float = 0.0,
        stop: Any = None,
        wait: Any = None,
        retry: Any = None,
    ) -> None:
        aspect = Retry(
            max_retries=max_retries,
            initial_delay=initial_delay,
            max_delay=max_delay,
            exponential_base=exponential_base,
            retry_on=retry_on,
            jitter=jitter,
            stop=stop,
            wait=wait,
            retry=retry,
        )
        super().__init__(key_value, aspect)


with_retry = DecoratorFactory(
    Retry,
    RetryWrapper,
    name="with_retry",
    doc="""Decorate a store class or instance to retry failed operations; use bare or called.

    Takes the keyword arguments of :class:`RetryWrapper`.

    Example:
        >>> import tenacity
        >>> from kvdeco import MemoryStore
        >>> @with_retry(max_retries=5, wait=tenacity.wait_fixed(0.2))
        ... class SturdyStore(MemoryStore):
        ...     pass
    """,
)
