"""Log one event per operation: what it was, where, how it ended and how long it took.

Events go through structlog. When structlog has been configured (``structlog.configure``),
they follow that configuration (JSON lines, key-value...). Otherwise they go to the standard
library logger ``"kvdeco"`` as one readable line, so ``logging.basicConfig`` is all it takes::

    INFO:kvdeco:PUT key='test' collection=None ttl=None outcome='ok' duration_ms=0.012

Values are never logged unless ``log_values=True``, not even on errors (only the error's type
is logged: an error message may quote the data). When the level is disabled an operation
costs one level check.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, MutableMapping
from typing import Any, ClassVar

import structlog

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect, failed
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.wrappers._arguments import checked, flag
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["Logging", "LoggingWrapper", "logged"]

_LEVELS = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}
_FIRST = ("key", "keys", "collection", "ttl")
_STDLIB_LOGGER = logging.getLogger("kvdeco")  # looked up once: getLogger takes a lock


def _level(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{name} must be an int or a level name, not {type(value).__name__}")
    number = logging.getLevelName(value.upper()) if isinstance(value, str) else value
    if number not in _LEVELS:
        raise ValueError(f"{name} must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
    return int(number)


def _logger_argument(value: Any, name: str) -> Any:
    if value is not None and not callable(getattr(value, "log", None)):
        raise TypeError(f"{name} must be a logging.Logger or a structlog logger with .log()")
    return value


def _render_line(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    """structlog's last processor for a plain ``logging`` logger: one readable line."""
    name = event.pop("event")
    event.pop("operation", None)  # the event name says it already
    shown = [f"{k}={event[k]!r}" for k in _FIRST if k in event]
    shown += [f"{k}={v!r}" for k, v in event.items() if k not in _FIRST]
    return (" ".join([name, *shown]),), {"extra": {"kvdeco": event}}


def _render_json(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    """structlog's last processor for a plain ``logging`` logger: one JSON object."""
    text = json.dumps(dict(event), default=repr, ensure_ascii=False)
    return (text,), {"extra": {"kvdeco": event}}


def _enabled(logger: Any, level: int) -> bool:
    check = getattr(logger, "is_enabled_for", None) or getattr(logger, "isEnabledFor", None)
    return True if check is None else bool(check(level))


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Logging(Aspect):
    """The aspect behind :func:`logged`; see :class:`LoggingWrapper` for the arguments."""

    label: ClassVar[str] = "logged"
    log_level: int = dataclasses.field(default=logging.INFO, metadata=checked(_level))
    log_values: bool = dataclasses.field(default=False, metadata=checked(flag))
    logger: Any = dataclasses.field(default=None, metadata=checked(_logger_argument))
    structured_logs: bool = dataclasses.field(default=False, metadata=checked(flag))

    def _logger(self, level: int) -> Any:
        """The structlog logger to use now, or ``None`` when ``level`` is disabled."""
        logger = self.logger
        if logger is None:
            if structlog.is_configured():
                logger = structlog.get_logger("kvdeco").bind()
                return logger if _enabled(logger, level) else None
            logger = _STDLIB_LOGGER
        if isinstance(logger, logging.Logger):
            if not logger.isEnabledFor(level):
                return None
            return structlog.wrap_logger(
                logger,
                processors=[_render_json if self.structured_logs else _render_line],
                wrapper_class=structlog.stdlib.BoundLogger,
            )
        return logger if _enabled(logger, level) else None

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        try:
            logger = self._logger(self.log_level)
            if logger is not None:
                return self._logged(call, proceed, logger)
            # Failures are logged at WARNING at least, so they may be wanted even when the
            # configured level is not.
            failures = self.log_level < logging.WARNING and self._enabled_for(logging.WARNING)
        except Exception as error:
            return failed(error)
        if not failures:
            return proceed(call)  # disabled: not even a coroutine of its own
        return self._logged(call, proceed, None)

    def _enabled_for(self, level: int) -> bool:
        logger = self.logger
        if logger is None:
            if structlog.is_configured():
                return _enabled(structlog.get_logger("kvdeco").bind(), level)
            logger = _STDLIB_LOGGER
        if isinstance(logger, logging.Logger):
            return logger.isEnabledFor(level)
        return _enabled(logger, level)

    async def _logged(self, call: Call, proceed: Proceed, logger: Any) -> Any:
        """Run the call and log it; with no ``logger`` only a failure is logged."""
        op = call.op
        fields: dict[str, Any] = {"operation": op.name}
        if op.many:
            fields["keys"] = len(call.keys)
        elif call.keys:
            fields["key"] = call.keys[0]
        fields["collection"] = call.collection
        if op.kind is Kind.WRITE:
            fields["ttl"] = call.ttl
            if self.log_values and call.values is not None:
                fields["values" if op.many else "value"] = (
                    list(call.values) if op.many else call.values[0]
                )
        start = time.perf_counter()
        try:
            result = await proceed(call)
        except BaseException as error:
            fields["outcome"] = "error"
            fields["error"] = type(error).__name__
            fields["duration_ms"] = round((time.perf_counter() - start) * 1000, 3)
            level = max(self.log_level, logging.WARNING)
            logger = logger if logger is not None else self._logger(level)
            if logger is not None:
                logger.log(level, op.name.upper(), **fields)
            raise
        if logger is None:
            return result
        fields.update(self._outcome(call, result))
        fields["duration_ms"] = round((time.perf_counter() - start) * 1000, 3)
        logger.log(self.log_level, op.name.upper(), **fields)
        return result

    def _outcome(self, call: Call, result: Any) -> dict[str, Any]:
        op = call.op
        if op.kind is Kind.READ:
            found = [item[0] if op.with_ttl else item for item in result] if op.many else None
            if not op.many:
                value = result[0] if op.with_ttl else result
                outcome: dict[str, Any] = {"outcome": "miss" if value is None else "hit"}
                if self.log_values:
                    outcome["value"] = value
                return outcome
            assert found is not None
            hits = sum(item is not None for item in found)
            outcome = {"outcome": "ok", "hits": hits, "misses": len(found) - hits}
            if self.log_values:
                outcome["values"] = found
            return outcome
        if op.kind is Kind.DELETE and not op.capability:
            if op.many:
                return {"outcome": "ok", "deleted": result}
            return {"outcome": "deleted" if result else "not_found"}
        if op.kind is Kind.LIST:
            return {"outcome": "ok", "count": len(result)}
        return {"outcome": "ok"}


class LoggingWrapper(AspectWrapper):
    """A store that logs each operation (the specification's ``LoggingWrapper``).

    Args:
        key_value: The store to wrap.
        log_level: The level of the events (``logging.INFO`` by default). Errors are logged
            at ``WARNING`` or higher.
        log_values: Include values in the events. Off by default: values may be secrets.
        logger: A ``logging.Logger`` or a structlog logger. By default structlog's
            ``"kvdeco"`` logger when structlog is configured, else the ``logging`` one.
        structured_logs: Write each event to a ``logging`` logger as one JSON object
            instead of a readable line (py-key-value's option). A structlog logger renders
            events its own way.

    Example:
        >>> import logging
        >>> from kvdeco import MemoryStore
        >>> store = LoggingWrapper(key_value=MemoryStore(), log_level=logging.DEBUG)
    """

    def __init__(
        self,
        key_value: Any,
        log_level: int = logging.INFO,
        *,
        log_values: bool = False,
        logger: Any = None,
        structured_logs: bool = False,
    ) -> None:
        aspect = Logging(
            log_level=log_level,
            log_values=log_values,
            logger=logger,
            structured_logs=structured_logs,
        )
        super().__init__(key_value, aspect)


logged = DecoratorFactory(
    Logging,
    LoggingWrapper,
    name="logged",
    doc="""Decorate a store class or instance to log its operations; use bare or called.

    Takes the keyword arguments of :class:`LoggingWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @logged
        ... class AuditedStore(MemoryStore):
        ...     pass
    """,
)
