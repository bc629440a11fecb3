"""The logging law: every operation is logged, and no value reaches the log unless asked."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings

from kvdeco.testing.clock import ManualClock
from kvdeco.testing.laws._building import SECRETS, memory, strings_in
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import MachineConfig
from kvdeco.testing.rules import build_machine

_NAMES = itertools.count()


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in _PLAIN_RECORD}
        self.lines.append(f"{record.getMessage()} {extra!r}")


_PLAIN_RECORD = set(vars(logging.makeLogRecord({})))


class _LoggingMachine(StoreMachine):
    wrap: Callable[[Any, logging.Logger], Any]

    def build(self) -> Any:
        self.logger = logging.getLogger(f"kvdeco.testing.law{next(_NAMES)}")
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self.captured = _Captured()
        self.logger.handlers = [self.captured]
        self.seen = 0
        self.secrets: set[str] = set()
        return type(self).wrap(memory(self.config.clock), self.logger)  # type: ignore[arg-type]

    def observe(
        self, view: int, operation: str, collection: str | None, keys: Sequence[str], result: Any
    ) -> None:
        if operation in ("put", "put_many"):
            for key in keys:
                entry = self.entry(view, collection, key)
                if entry is not None:
                    self.secrets.update(s for s in strings_in(entry.value) if len(s) >= 8)
        lines, self.seen = self.captured.lines[self.seen :], len(self.captured.lines)
        if not any(operation in line.lower() for line in lines):
            self.fail(
                view, f"{operation}({list(keys)!r})", "completed without a log record naming it"
            )
        for line in lines:
            leaked = [s for s in self.secrets if s in line]
            if leaked:
                self.fail(view, operation, f"a log record shows a stored value: {leaked[0]!r}")

    def teardown(self) -> None:
        self.logger.handlers = []
        super().teardown()


def logging_machine(
    wrap: Callable[[Any, logging.Logger], Any], *, settings: Settings | None = None
) -> type[StoreMachine]:
    """A logging layer logs every operation that completes (a record whose text names it) and
    never shows a value written (no string of 8 characters or more of any value appears in
    a record's message or fields), while the stack behaves like the model.

    Args:
        wrap: ``wrap(store, logger)`` builds the logging wrapper with the law's own
            ``logging.Logger`` at DEBUG, such as
            ``lambda s, logger: LoggingWrapper(s, logger=logger, log_level=logging.DEBUG)``.
        settings: Hypothesis settings.
    """
    clock = ManualClock()
    cfg = MachineConfig(build=lambda: None, clock=clock, values=SECRETS)
    base = type("_Logging", (_LoggingMachine,), {"wrap": staticmethod(wrap)})
    return build_machine(cfg, base, name="LoggingMachine", settings=settings)
