"""The chain of aspects that runs one store's calls, and the guard against re-entry.

A :class:`Chain` is built once per decorated store from the aspects of its stack (outermost
first), the runtime each aspect bound for that store, and ``terminal``, which hands a call to
whatever is underneath. For every operation it composes, ahead of time, only the layers that
handle it: an aspect whose ``operations`` leaves an operation out costs nothing for it, and a
stack in which no aspect handles it goes straight to ``terminal``.

Re-entry: a store method that calls another decorated method of its own instance (a
``put_many`` written as a loop of ``self.put``) must not run the stack twice, or a write would
be encrypted twice and counted twice. :func:`guarded` runs a call through the chain unless it is
such a re-entry: the same store, the same kind of operation (a write inside a write, a read
inside a read), while the outer call runs. A different kind goes through the stack (a ``get``
that fills a miss with ``self.put`` still encrypts what it writes), and a task started inside
a call that goes on after it returned is outside it, although it inherits the context.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from kvdeco.aspect import Aspect, Runtime
from kvdeco.operations import OPERATIONS, Call, Proceed

__all__ = ["Chain", "guarded", "handles"]


def handles(runtime: Any, name: str) -> bool:
    """Whether ``runtime`` (an aspect or what it bound) handles the operation ``name``."""
    handled = getattr(runtime, "operations", None)
    return handled is None or name in handled


Around = Callable[[Call, Proceed], Awaitable[Any]]


def _pass(call: Call, proceed: Proceed) -> Awaitable[Any]:
    return proceed(call)


def _layer(around: Around, proceed: Proceed) -> Proceed:
    return lambda call: around(call, proceed)


class Chain:
    """The aspects of one store's stack, bound to that store, composed per operation.

    Args:
        aspects: The aspects, outermost first.
        runtimes: What each aspect bound for this store, in the same order.
        terminal: Hands a call to the store underneath the stack.
    """

    __slots__ = ("aspects", "entries", "runtimes", "terminal")

    def __init__(
        self, aspects: Sequence[Aspect], runtimes: Sequence[Runtime], terminal: Proceed
    ) -> None:
        self.aspects = tuple(aspects)
        self.runtimes = tuple(runtimes)
        self.terminal = terminal
        self.entries: dict[str, tuple[Around, Proceed]] = {}
        """Per operation, the outermost layer that handles it and how that layer proceeds."""
        for name in OPERATIONS:
            around: Around = _pass
            proceed = terminal
            for runtime in reversed(self.runtimes):
                if handles(runtime, name):
                    if around is not _pass:
                        proceed = _layer(around, proceed)
                    around = runtime.around
            self.entries[name] = (around, proceed)


_ACTIVE: contextvars.ContextVar[tuple[list[object], ...]] = contextvars.ContextVar(
    "kvdeco_running_stacks", default=()
)
"""The stacks running in this context, each as ``[id(store), kind of operation]``.

A context variable, unlike a counter on the store, stays right under ``asyncio.gather``. A
task created inside a call copies the context, marks included: while the call runs, the task
is part of it (``gather`` of ``self.put`` in a ``put_many``); when the call returns, its mark
is emptied, so it no longer equals any store's and a task that lives on is outside the call.
A list is the cheapest object with both properties (compared by value, emptied in place)."""


async def guarded(chain: Chain, store: object, call: Call) -> Any:
    """Run ``call`` through ``chain`` unless it re-enters a call of its kind on ``store``.

    A re-entry goes straight to the store underneath: the stack already runs around it.
    """
    marks = _ACTIVE.get()
    mark: list[object] = [id(store), call.op.kind]
    if marks and mark in marks:
        return await chain.terminal(call)
    token = _ACTIVE.set((*marks, mark))
    around, proceed = chain.entries[call.op.name]
    try:
        return await around(call, proceed)
    finally:
        mark.clear()
        _ACTIVE.reset(token)
