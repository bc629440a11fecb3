"""Events kvdeco logs on its own (a circuit opening, an error absorbed), without any value.

They go through structlog when it is configured, and otherwise to the standard library logger
of the given name as one readable line, as the logging wrapper does.
"""

from __future__ import annotations

import logging
from typing import Any

import structlog

__all__ = ["log_event"]


def log_event(logger: str, level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with ``fields`` (names, counts and types only: never a stored value).

    Args:
        logger: The logger name, such as ``"kvdeco.circuit_breaker"``.
        level: A :mod:`logging` level.
        event: What happened, as a short snake_case name.
        fields: Its details.
    """
    if structlog.is_configured():
        structlog.get_logger(logger).log(level, event, **fields)
        return
    stdlib = logging.getLogger(logger)
    if stdlib.isEnabledFor(level):
        shown = " ".join(f"{name}={value!r}" for name, value in fields.items())
        stdlib.log(level, "%s %s", event, shown)
