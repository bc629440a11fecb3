"""Capture what kvdeco logs on one logger, whatever other tests did to logging or structlog."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import structlog


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured(name: str) -> Iterator[list[logging.LogRecord]]:
    """Collect the records of logger ``name`` (kvdeco's own events go to the standard library
    while structlog is not configured, so its configuration is reset for the duration)."""
    structlog.reset_defaults()
    logger = logging.getLogger(name)
    handler = _Records()
    level, disabled = logger.level, logger.disabled
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled


def text(records: list[logging.LogRecord]) -> str:
    """The records' messages, one per line."""
    return "\n".join(record.getMessage() for record in records)
