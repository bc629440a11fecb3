"""OpenTelemetry traces and metrics for every store operation.

:class:`TracingWrapper` (``traced()``) opens one client span per operation, under the caller's
current span, named after the operation and the store (``get redis``), with the database
semantic conventions that fit: ``db.system.name``, ``db.operation.name``,
``db.collection.name``, ``db.operation.batch.size`` for bulk operations. It adds the outcome
(``kvdeco.outcome``: hit, miss, partial, ok; ``kvdeco.hits``/``kvdeco.misses`` for reads and
deletes) and, on failure, ``error.type`` and an error status. Keys are recorded only with
``record_keys=True``; values never, and a failure is recorded by its type and traceback, not
its message (a driver's message may quote the data). Above a retry layer, each attempt is a
child span of the operation's span.

:class:`MetricsWrapper` (``metered()``) counts operations (``kvdeco.operations``), measures
their duration (``db.client.operation.duration``, seconds) and counts hits and misses, with the
attributes operation, collection, outcome and system.

Both need ``opentelemetry-api`` (``pip install 'kvdeco[otel]'``). Without an SDK configured,
OpenTelemetry's default providers record nothing, and both layers then pass calls straight on.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
import traceback
import weakref
from collections.abc import Awaitable
from typing import Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Proceed
from kvdeco.validation import DEFAULT_COLLECTION
from kvdeco.wrappers._arguments import checked, flag, text
from kvdeco.wrappers._attempts import ATTEMPT_OBSERVER
from kvdeco.wrappers._outcome import found_and_missed, outcome
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["Metrics", "MetricsWrapper", "Tracing", "TracingWrapper", "metered", "traced"]

_INSTRUMENTATION = "kvdeco"
_SYSTEMS = {"RedisStore": "redis", "DiskStore": "sqlite", "MemoryStore": "memory"}
_UNNAMED = "kvdeco"
"""The system of an aspect run without being applied to a store, which would name it."""
_SYSTEM = checked(text, allow_none=True)


_MODULES: list[Any] = []
_DEFAULT_PROVIDERS: frozenset[type] = frozenset()


def _opentelemetry() -> tuple[Any, Any]:
    """The ``opentelemetry.trace`` and ``opentelemetry.metrics`` modules, or a clear error.

    Imported on first use, so ``import kvdeco`` works without OpenTelemetry; kept afterwards,
    because even a cached import statement costs more per call than the no-op check.
    """
    global _DEFAULT_PROVIDERS
    if not _MODULES:
        try:
            from opentelemetry import metrics, trace
        except ImportError as error:  # pragma: no cover - the test extra installs it
            raise ImportError(
                "the telemetry wrappers need opentelemetry-api: pip install 'kvdeco[otel]'"
            ) from error
        # OpenTelemetry's global providers before an SDK is installed: they record nothing.
        _DEFAULT_PROVIDERS = frozenset(
            type(provider)
            for provider in (
                trace.ProxyTracerProvider(),
                trace.NoOpTracerProvider(),
                metrics.NoOpMeterProvider(),
                metrics.get_meter_provider() if _no_global_meter(metrics) else None,
            )
            if provider is not None
        )
        _MODULES.extend((trace, metrics))
    return _MODULES[0], _MODULES[1]


# Where OpenTelemetry keeps the global providers once set. Its public getters look the
# environment up on every call while none is set (about 0.5 µs each, more than this layer's
# whole budget with no SDK installed), so the set providers are read directly when the
# installed version keeps them there, and through the getters otherwise.
_GLOBALS = (
    ("opentelemetry.trace", "_TRACER_PROVIDER", "get_tracer_provider"),
    ("opentelemetry.metrics._internal", "_METER_PROVIDER", "get_meter_provider"),
)


def _global_provider(which: int) -> Any:
    module_name, variable, getter = _GLOBALS[which]
    module = sys.modules[module_name]
    provider = getattr(module, variable, _UNKNOWN)
    if provider is None and _UNSET_FROM_ENVIRONMENT[which]:
        return None  # no global provider: the default one, which records nothing
    if provider is _UNKNOWN or provider is None:
        provider = getattr(_MODULES[which], getter)()
    return provider


_UNKNOWN: Any = object()
_UNSET_FROM_ENVIRONMENT = [
    "OTEL_PYTHON_TRACER_PROVIDER" not in os.environ,
    "OTEL_PYTHON_METER_PROVIDER" not in os.environ,
]


def _no_global_meter(metrics: Any) -> bool:
    # The proxy meter provider class is private; it is what get_meter_provider() returns
    # while no SDK is set, so take its type from there (an SDK provider would be recording).
    return type(metrics.get_meter_provider()).__name__ == "_ProxyMeterProvider"


def store_system(target: Any) -> str:
    """The ``db.system.name`` of a store class or instance: ``redis``, ``sqlite``, ``memory``...

    Wrappers are looked through; a store kvdeco does not know is named by its class.
    """
    from kvdeco.lookup import unwrap

    cls = target if isinstance(target, type) else type(unwrap(target))
    for base in cls.__mro__:
        if base.__name__ in _SYSTEMS:
            return _SYSTEMS[base.__name__]
    return cls.__name__.lower()


def _base_attributes(call: Call, system: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "db.system.name": system,
        "db.operation.name": call.op.name,
        "db.collection.name": call.collection or DEFAULT_COLLECTION,
    }
    if call.op.many:
        attributes["db.operation.batch.size"] = len(call.keys)
    return attributes


def _error_type(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _record_failure(span: Any, error: BaseException, trace: Any) -> None:
    """Mark ``span`` failed by ``error``'s type and traceback, never its message."""
    name = _error_type(error)
    span.set_attribute("error.type", name)
    span.set_status(trace.Status(trace.StatusCode.ERROR, name))
    span.add_event(
        "exception",
        {
            "exception.type": name,
            "exception.stacktrace": "".join(traceback.format_tb(error.__traceback__)),
        },
    )


# Tracers and instruments are made once per provider (made again for every call, they would
# cost more than the span).
_TRACERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_INSTRUMENTS: weakref.WeakKeyDictionary[Any, tuple[Any, Any, Any, Any]] = (
    weakref.WeakKeyDictionary()
)


class _Telemetry(Aspect):
    """What the tracing and metrics aspects share: OpenTelemetry, and the store's system."""

    system: str | None  # each subclass declares it as a field

    def __post_init__(self) -> None:
        _opentelemetry()  # without it, say which extra to install before anything else
        super().__post_init__()

    def applied_to(self, target: Any) -> Any:
        """This aspect, naming the ``system`` of ``target`` unless it was given one."""
        if self.system is not None:
            return self
        named: dict[str, Any] = {"system": store_system(target)}  # a field of each subclass
        return dataclasses.replace(self, **named)


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Tracing(_Telemetry):
    """The aspect behind :func:`traced`; see :class:`TracingWrapper` for the arguments.

    Its ``system`` is ``None`` until it is applied: the decorator and the wrapper then name
    the decorated store's.
    """

    label: ClassVar[str] = "traced"
    tracer_provider: Any = None
    record_keys: bool = dataclasses.field(default=False, metadata=checked(flag))
    system: str | None = dataclasses.field(default=None, metadata=_SYSTEM)

    def _tracer(self) -> Any:
        provider = self.tracer_provider or _global_provider(0)
        if provider is None or type(provider) in _DEFAULT_PROVIDERS:
            return None
        tracer = _TRACERS.get(provider)
        if tracer is None:
            tracer = _TRACERS[provider] = provider.get_tracer(_INSTRUMENTATION)
        return tracer

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        tracer = self._tracer()
        if tracer is None:
            return proceed(call)  # nothing records: not even a coroutine of its own
        return self._traced(tracer, call, proceed)

    async def _traced(self, tracer: Any, call: Call, proceed: Proceed) -> Any:
        trace, _ = _opentelemetry()
        system = self.system or _UNNAMED
        attributes = _base_attributes(call, system)
        if self.record_keys and call.keys:
            attributes["kvdeco.keys" if call.op.many else "kvdeco.key"] = (
                list(call.keys) if call.op.many else call.keys[0]
            )
        span = tracer.start_span(
            f"{call.op.name} {system}", kind=trace.SpanKind.CLIENT, attributes=attributes
        )
        attempts = _AttemptSpans(tracer, span, trace)
        token = ATTEMPT_OBSERVER.set(attempts)
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False):
                result = await proceed(call)
        except BaseException as error:
            _record_failure(span, error, trace)
            raise
        else:
            found, missed = found_and_missed(call, result)
            span.set_attribute("kvdeco.outcome", outcome(call, result))
            if found or missed:
                span.set_attribute("kvdeco.hits", found)
                span.set_attribute("kvdeco.misses", missed)
            return result
        finally:
            ATTEMPT_OBSERVER.reset(token)
            span.end()


class _AttemptSpans:
    """Makes each attempt of a retry below a tracing layer a child span of the operation."""

    __slots__ = ("count", "parent", "trace", "tracer")

    def __init__(self, tracer: Any, parent: Any, trace: Any) -> None:
        self.tracer = tracer
        self.parent = parent
        self.trace = trace
        self.count = 0

    async def __call__(self, proceed: Proceed, call: Call) -> Any:
        self.count += 1
        trace = self.trace
        context = trace.set_span_in_context(self.parent)
        span = self.tracer.start_span(
            f"attempt {self.count}",
            context=context,
            kind=trace.SpanKind.INTERNAL,
            attributes={"kvdeco.attempt": self.count},
        )
        token = ATTEMPT_OBSERVER.set(None)  # a retry further down belongs to its own layer
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False):
                return await proceed(call)
        except BaseException as error:
            _record_failure(span, error, trace)
            raise
        finally:
            ATTEMPT_OBSERVER.reset(token)
            span.end()


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Metrics(_Telemetry):
    """The aspect behind :func:`metered`; see :class:`MetricsWrapper` for the arguments.

    Its ``system`` is ``None`` until it is applied, as :class:`Tracing`'s.
    """

    label: ClassVar[str] = "metered"
    meter_provider: Any = None
    system: str | None = dataclasses.field(default=None, metadata=_SYSTEM)

    def _instruments(self) -> tuple[Any, Any, Any, Any] | None:
        provider = self.meter_provider or _global_provider(1)
        if provider is None or type(provider) in _DEFAULT_PROVIDERS:
            return None
        instruments = _INSTRUMENTS.get(provider)
        if instruments is None:
            meter = provider.get_meter(_INSTRUMENTATION)
            instruments = _INSTRUMENTS[provider] = (
                meter.create_counter(
                    "kvdeco.operations", unit="{operation}", description="Store operations"
                ),
                meter.create_histogram(
                    "db.client.operation.duration",
                    unit="s",
                    description="Duration of store operations",
                ),
                meter.create_counter("kvdeco.hits", unit="{key}", description="Keys found"),
                meter.create_counter("kvdeco.misses", unit="{key}", description="Keys missed"),
            )
        return instruments

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        instruments = self._instruments()
        if instruments is None:
            return proceed(call)
        return self._metered(instruments, call, proceed)

    async def _metered(
        self, instruments: tuple[Any, Any, Any, Any], call: Call, proceed: Proceed
    ) -> Any:
        operations, duration, hits, misses = instruments
        attributes = _base_attributes(call, self.system or _UNNAMED)
        attributes.pop("db.operation.batch.size", None)  # unbounded values make bad labels
        start = time.perf_counter()
        try:
            result = await proceed(call)
        except BaseException as error:
            attributes["kvdeco.outcome"] = "error"
            attributes["error.type"] = _error_type(error)
            raise
        else:
            attributes["kvdeco.outcome"] = outcome(call, result)
            found, missed = found_and_missed(call, result)
            if found:
                hits.add(found, attributes)
            if missed:
                misses.add(missed, attributes)
            return result
        finally:
            duration.record(time.perf_counter() - start, attributes)
            operations.add(1, attributes)


class TracingWrapper(AspectWrapper):
    """A store whose every operation is an OpenTelemetry span.

    Args:
        key_value: The store to wrap.
        tracer_provider: The tracer provider to use; OpenTelemetry's global one by default.
        record_keys: Also record the keys of each operation (``kvdeco.key``/``kvdeco.keys``).
            Values are never recorded.
        system: The ``db.system.name`` of the spans; by default the store's (``redis``,
            ``sqlite``, ``memory``, or its class name).

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = TracingWrapper(MemoryStore())
    """

    def __init__(
        self,
        key_value: Any,
        *,
        tracer_provider: Any = None,
        record_keys: bool = False,
        system: str | None = None,
    ) -> None:
        aspect = Tracing(tracer_provider=tracer_provider, record_keys=record_keys, system=system)
        super().__init__(key_value, aspect)


class MetricsWrapper(AspectWrapper):
    """A store whose operations are counted and timed as OpenTelemetry metrics.

    Args:
        key_value: The store to wrap.
        meter_provider: The meter provider to use; OpenTelemetry's global one by default.
        system: The ``db.system.name`` attribute; by default the store's.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = MetricsWrapper(MemoryStore())
    """

    def __init__(
        self, key_value: Any, *, meter_provider: Any = None, system: str | None = None
    ) -> None:
        super().__init__(key_value, Metrics(meter_provider=meter_provider, system=system))


traced = DecoratorFactory(
    Tracing,
    TracingWrapper,
    name="traced",
    doc="""Decorate a store class or instance to trace its operations; use bare or called.

    Takes the keyword arguments of :class:`TracingWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @traced
        ... class TracedStore(MemoryStore):
        ...     pass
    """,
)

metered = DecoratorFactory(
    Metrics,
    MetricsWrapper,
    name="metered",
    doc="""Decorate a store class or instance to meter its operations; use bare or called.

    Takes the keyword arguments of :class:`MetricsWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = metered(MemoryStore())
    """,
)
