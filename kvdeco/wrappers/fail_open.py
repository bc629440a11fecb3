"""Keep working when a cache is down: its failures become misses and dropped writes.

For a store that only speeds things up (a response cache, a memo of a slow lookup), being
unreachable should cost a recomputation, not a failed request. The errors in ``absorb`` (by
default connection and timeout errors and an open circuit) turn:

- ``get`` into ``None``, ``ttl`` into ``(None, None)``, and bulk reads into a miss per key;
- ``put`` and ``put_many`` into no-ops, ``delete`` into ``False``, ``delete_many`` into ``0``.

Everything else still raises: kvdeco's operation errors (an invalid key or TTL, a value that is
not JSON: the caller's mistake, not the store's), errors not in ``absorb``, and cancellation,
which is never absorbed. Listing and admin operations (``keys``, ``destroy``...) are not
absorbed either: an empty listing would be a wrong answer, not a miss. Each absorbed error is
counted in ``store.fail_open`` (:class:`AbsorbedErrors`) and logged at WARNING on
``kvdeco.fail_open`` with the operation, collection and error type, never a value.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from kvdeco._events import log_event
from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import CircuitOpenError, KeyValueOperationError
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.wrappers._arguments import checked, exception_types
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["AbsorbedErrors", "FailOpen", "FailOpenWrapper", "fail_open"]

DEFAULT_ABSORB: tuple[type[BaseException], ...] = tuple(
    # asyncio's TimeoutError is the builtin one from Python 3.11 on: name it once.
    dict.fromkeys((ConnectionError, TimeoutError, asyncio.TimeoutError, CircuitOpenError))
)


def _answer_for(call: Call) -> Any:
    """What an operation returns when its store is down: a miss, or nothing written."""
    op = call.op
    if op.kind is Kind.READ:
        miss = (None, None) if op.with_ttl else None
        return [miss for _ in call.keys] if op.many else miss
    if op.kind is Kind.DELETE:
        return 0 if op.many else False
    return None


class AbsorbedErrors:
    """What a fail-open layer absorbed, read through ``store.fail_open``.

    Attributes:
        total: Errors absorbed.
        by_operation: Errors absorbed per operation name.
        by_error: Errors absorbed per error type name.
    """

    def __init__(self, aspect: FailOpen) -> None:
        self._absorb = aspect.absorb
        self.total = 0
        self.by_operation: collections.Counter[str] = collections.Counter()
        self.by_error: collections.Counter[str] = collections.Counter()

    @property
    def fail_open(self) -> AbsorbedErrors:
        """These counts: what a decorated store exposes as ``store.fail_open``."""
        return self

    async def around(self, call: Call, proceed: Proceed) -> Any:
        try:
            return await proceed(call)
        except self._absorb as error:
            if (
                call.op.capability
                or not isinstance(error, Exception)
                or isinstance(error, KeyValueOperationError)
            ):
                raise
            name = type(error).__name__
            self.total += 1
            self.by_operation[call.op.name] += 1
            self.by_error[name] += 1
            log_event(
                "kvdeco.fail_open",
                logging.WARNING,
                "store_error_absorbed",
                operation=call.op.name,
                collection=call.collection,
                error=name,
            )
            return _answer_for(call)

    def __repr__(self) -> str:
        return f"<AbsorbedErrors total={self.total} by_operation={dict(self.by_operation)}>"


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class FailOpen(Aspect):
    """The aspect behind :func:`fail_open`; see :class:`FailOpenWrapper` for the arguments."""

    label: ClassVar[str] = "fail_open"
    exposed: ClassVar[tuple[str, ...]] = ("fail_open",)
    operations: ClassVar[frozenset[str] | None] = frozenset(
        {"get", "ttl", "put", "delete", "get_many", "ttl_many", "put_many", "delete_many"}
    )
    absorb: tuple[type[BaseException], ...] = dataclasses.field(
        default=DEFAULT_ABSORB, metadata=checked(exception_types)
    )

    def bind(self) -> AbsorbedErrors:
        return AbsorbedErrors(self)


class FailOpenWrapper(AspectWrapper, exposes=FailOpen):
    """A store whose outages read as misses and dropped writes instead of errors.

    Args:
        key_value: The store to wrap, typically a cache.
        absorb: The exception types to absorb; connection errors, timeouts and an open
            circuit by default. kvdeco's operation errors and cancellation are never absorbed.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = FailOpenWrapper(MemoryStore())
        >>> store.fail_open.total
        0
    """

    def __init__(
        self, key_value: Any, absorb: tuple[type[BaseException], ...] = DEFAULT_ABSORB
    ) -> None:
        super().__init__(key_value, FailOpen(absorb=absorb))

    if TYPE_CHECKING:
        # ``exposes=FailOpen`` makes it read this store's counts; the declaration only tells
        # type checkers what it is.

        @property
        def fail_open(self) -> AbsorbedErrors:
            """What this layer absorbed."""
            ...


fail_open = DecoratorFactory(
    FailOpen,
    FailOpenWrapper,
    name="fail_open",
    doc="""Decorate a store class or instance to fail open; use bare or called.

    Takes the keyword argument of :class:`FailOpenWrapper` (``absorb``).

    Example:
        >>> from kvdeco import MemoryStore
        >>> cache = fail_open(MemoryStore())
        >>> cache.fail_open.total
        0
    """,
)
