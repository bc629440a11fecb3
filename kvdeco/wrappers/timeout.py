"""Give every operation a deadline.

``async with async_timeout.timeout_at(t)`` arms one timer on the running task: no task is
created per call (``asyncio.wait_for`` would create one). The timer is armed when the call first
pauses, with the deadline counted from its start: a call that never pauses (an in-process
store) cannot be interrupted anyway, and pays no timer. When the deadline passes, the inner call is
cancelled where it is waiting, its ``finally`` blocks run, and :class:`OperationTimeoutError`
is raised: an ``asyncio.TimeoutError`` (the builtin ``TimeoutError`` from Python 3.11) and a
:class:`~kvdeco.errors.StoreTimeoutError`, so ``RetryWrapper`` retries it by default.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import types
from collections.abc import Generator
from typing import Any, ClassVar

import async_timeout

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import StoreTimeoutError
from kvdeco.operations import Call, Proceed
from kvdeco.wrappers._arguments import checked, number
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["OperationTimeoutError", "Timeout", "TimeoutWrapper", "with_timeout"]

if sys.version_info >= (3, 11):

    class OperationTimeoutError(StoreTimeoutError):
        """An operation did not finish within the deadline of a ``TimeoutWrapper``."""

else:  # pragma: no cover - Python 3.10, where asyncio has its own TimeoutError

    class OperationTimeoutError(StoreTimeoutError, asyncio.TimeoutError):
        """An operation did not finish within the deadline of a ``TimeoutWrapper``."""


@dataclasses.dataclass(frozen=True, repr=False)
class Timeout(Aspect):
    """The aspect behind :func:`with_timeout`."""

    label: ClassVar[str] = "with_timeout"
    timeout: float = dataclasses.field(default=5.0, metadata=checked(number))

    async def around(self, call: Call, proceed: Proceed) -> Any:
        # The call runs up to its first pause with no timer: a call that finishes without
        # pausing (an in-process store) cannot be interrupted anyway, and arming and
        # cancelling a timer would be most of its cost. The deadline still counts from now.
        loop = asyncio.get_running_loop()
        due = loop.time() + self.timeout
        steps = proceed(call).__await__()
        try:
            waiting = steps.send(None)
        except StopIteration as done:
            return done.value
        deadline = async_timeout.timeout_at(due)
        try:
            async with deadline:
                return await _resume(steps, waiting)
        except asyncio.TimeoutError:
            if not deadline.expired:
                raise  # the inner store's own timeout, not ours
            raise self._error(call) from None

    def _error(self, call: Call) -> OperationTimeoutError:
        many = f" for {len(call.keys)} keys" if call.op.many else ""
        return OperationTimeoutError(
            f"no answer within {self.timeout:g}s{many}",
            operation=call.op.name,
            collection=call.collection,
            key=None if call.op.many or not call.keys else call.keys[0],
        )


@types.coroutine
def _resume(steps: Generator[Any, Any, Any], waiting: Any) -> Generator[Any, Any, Any]:
    """Go on with a started awaitable as ``await`` would have: pass each pause up, each
    answer (a result, an exception, a close) down."""
    while True:
        try:
            answer = yield waiting
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as error:
            try:
                waiting = steps.throw(error)
            except StopIteration as done:
                return done.value
        else:
            try:
                waiting = steps.send(answer)
            except StopIteration as done:
                return done.value


class TimeoutWrapper(AspectWrapper):
    """A store whose operations fail after ``timeout`` seconds without an answer.

    Args:
        key_value: The store to wrap.
        timeout: Seconds each operation may take; a finite number > 0.

    Raises:
        OperationTimeoutError: from an operation that ran out of time. It is an
            ``asyncio.TimeoutError``, and its message names the operation, collection and key.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = TimeoutWrapper(key_value=MemoryStore(), timeout=1.0)
    """

    def __init__(self, key_value: Any, timeout: float = 5.0) -> None:
        super().__init__(key_value, Timeout(timeout))


with_timeout = DecoratorFactory(
    Timeout,
    TimeoutWrapper,
    name="with_timeout",
    doc="""Decorate a store class or instance so each operation has ``timeout`` seconds.

    Use bare (``@with_timeout``: 5 seconds) or called (``@with_timeout(0.5)``).

    Example:
        >>> from kvdeco import MemoryStore
        >>> @with_timeout(0.5)
        ... class QuickStore(MemoryStore):
        ...     pass
    """,
)
