"""How a retrying layer lets an observer outside it see each attempt.

A tracing layer above a retry sets :data:`ATTEMPT_OBSERVER` while its operation runs; the retry
runs every attempt through the observer, which makes each one a child span. With no observer
(no tracing above) a retry pays one context-variable read per call.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable
from typing import Any, Protocol

from kvdeco.operations import Call, Proceed

__all__ = ["ATTEMPT_OBSERVER", "AttemptObserver"]


class AttemptObserver(Protocol):
    """Runs one attempt of an operation: ``observer(proceed, call)`` awaits ``proceed(call)``."""

    def __call__(self, proceed: Proceed, call: Call) -> Awaitable[Any]:
        """Run ``proceed(call)`` as one observed attempt."""
        ...


ATTEMPT_OBSERVER: contextvars.ContextVar[AttemptObserver | None] = contextvars.ContextVar(
    "kvdeco_attempt_observer", default=None
)
"""The observer of the operation running in this context, if a layer above watches attempts."""
