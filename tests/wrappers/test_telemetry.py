"""Tracing and metrics: one span per operation, the right attributes, never a value."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from kvdeco import (
    Decorator,
    InvalidTTLError,
    MemoryStore,
    MetricsWrapper,
    RetryWrapper,
    TracingWrapper,
    layers,
    metered,
    traced,
    with_statistics,
)
from kvdeco.testing import FlakyStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.telemetry import Tracing, store_system
from tests.security.canary import CANARY

EXPORTER = InMemorySpanExporter()
PROVIDER = TracerProvider()
PROVIDER.add_span_processor(SimpleSpanProcessor(EXPORTER))
READER = InMemoryMetricReader()
METERS = MeterProvider(metric_readers=[READER])


@pytest.fixture(autouse=True)
def fresh_spans() -> Iterator[None]:
    EXPORTER.clear()
    yield
    EXPORTER.clear()


def python_output(program: str) -> str:
    """What ``program`` prints, run by a fresh Python (for state that is global per process)."""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def spans() -> list[ReadableSpan]:
    return list(EXPORTER.get_finished_spans())


class TestTracedContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(traced(tracer_provider=PROVIDER), MemoryStore)[request.param]


class TestMeteredContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(metered(meter_provider=METERS), MemoryStore)[request.param]


@pytest.fixture(params=["class", "instance"])
def store(request: pytest.FixtureRequest) -> Any:
    return decorated_both_ways(traced(tracer_provider=PROVIDER), MemoryStore)[request.param]


async def test_each_operation_is_one_client_span_with_the_database_conventions(
    store: Any,
) -> None:
    await store.put("k", {"v": 1}, collection="users", ttl=60)
    assert await store.get("k", collection="users") == {"v": 1}
    assert await store.get("absent", collection="users") is None
    await store.ttl("k", collection="users")
    assert await store.delete("k", collection="users") is True
    names = [s.name for s in spans()]
    assert names == ["put memory", "get memory", "get memory", "ttl memory", "delete memory"]
    put, hit, miss, ttl, delete = spans()
    assert put.kind is trace.SpanKind.CLIENT
    assert dict(put.attributes or {}) == {
        "db.system.name": "memory",
        "db.operation.name": "put",
        "db.collection.name": "users",
        "kvdeco.outcome": "ok",
    }
    assert (hit.attributes or {})["kvdeco.outcome"] == "hit"
    assert (miss.attributes or {})["kvdeco.outcome"] == "miss"
    assert (ttl.attributes or {})["kvdeco.outcome"] == "hit"
    assert (delete.attributes or {})["kvdeco.hits"] == 1
    assert all(s.status.status_code is StatusCode.UNSET for s in spans())


async def test_bulk_operations_carry_their_batch_size_and_counts(store: Any) -> None:
    await store.put_many(["a", "b", "c"], [{"v": 1}, {"v": 2}, {"v": 3}])
    await store.get_many(["a", "b", "zz"])
    await store.delete_many(["a", "zz"])
    put, get, delete = spans()
    assert (put.attributes or {})["db.operation.batch.size"] == 3
    attributes = dict(get.attributes or {})
    assert (attributes["kvdeco.hits"], attributes["kvdeco.misses"]) == (2, 1)
    assert attributes["kvdeco.outcome"] == "partial"
    assert (delete.attributes or {})["kvdeco.hits"] == 1


async def test_keys_are_recorded_only_when_asked(store: Any) -> None:
    await store.get("user:42")
    assert "kvdeco.key" not in (spans()[0].attributes or {})
    with_keys = TracingWrapper(MemoryStore(), tracer_provider=PROVIDER, record_keys=True)
    await with_keys.get("user:42")
    await with_keys.get_many(["a", "b"])
    assert (spans()[1].attributes or {})["kvdeco.key"] == "user:42"
    assert list((spans()[2].attributes or {})["kvdeco.keys"]) == ["a", "b"]


async def test_spans_nest_under_the_callers_span(store: Any) -> None:
    tracer = PROVIDER.get_tracer("app")
    with tracer.start_as_current_span("handle request") as parent:
        await store.get("k")
    child = next(s for s in spans() if s.name == "get memory")
    assert child.parent is not None
    assert child.parent.span_id == parent.get_span_context().span_id


def failing_first() -> FlakyStore:
    """A store whose first two gets fail as a dropped connection would, quoting the data."""
    lost = [ConnectionError(f"lost while reading {CANARY}") for _ in range(2)]
    return FlakyStore(MemoryStore(), lost, operations={"get"})


async def test_above_a_retry_each_attempt_is_a_child_span_of_one_operation_span() -> None:
    store = TracingWrapper(
        RetryWrapper(failing_first(), initial_delay=0.001), tracer_provider=PROVIDER
    )
    assert await store.get("k") is None
    operation = next(s for s in spans() if s.name == "get memory")
    attempts = [s for s in spans() if s.name.startswith("attempt")]
    assert [s.name for s in attempts] == ["attempt 1", "attempt 2", "attempt 3"]
    assert all(
        s.parent is not None and s.parent.span_id == operation.context.span_id for s in attempts
    )
    assert [s.status.status_code for s in attempts] == [
        StatusCode.ERROR,
        StatusCode.ERROR,
        StatusCode.UNSET,
    ]
    assert operation.status.status_code is StatusCode.UNSET


async def test_a_failure_sets_the_error_status_and_type_but_never_the_message() -> None:
    store = TracingWrapper(failing_first(), tracer_provider=PROVIDER)
    with pytest.raises(ConnectionError):
        await store.get("k")
    (span,) = spans()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "ConnectionError"
    assert [e.name for e in span.events] == ["exception"]
    assert CANARY not in json.dumps([dict(e.attributes or {}) for e in span.events])
    refused = TracingWrapper(MemoryStore(), tracer_provider=PROVIDER)
    with pytest.raises(InvalidTTLError):
        await refused.put("k", {"v": 1}, ttl=-1)
    assert (spans()[-1].attributes or {})["error.type"] == "kvdeco.errors.InvalidTTLError"


async def test_no_value_reaches_a_span_or_a_metric() -> None:
    store = metered(meter_provider=METERS)(
        TracingWrapper(MemoryStore(), tracer_provider=PROVIDER, record_keys=True)
    )
    secret = {"password": CANARY, "nested": [CANARY]}
    await store.put("k", secret, collection="c", ttl=10)
    await store.put_many(["a", "b"], [secret, secret])
    await store.get_many(["a", "b"])
    await store.ttl("k", collection="c")
    recorded = repr([(s.name, dict(s.attributes or {}), s.events) for s in spans()])
    recorded += READER.get_metrics_data().to_json()
    assert CANARY not in recorded


def _points(name: str) -> list[Any]:
    data = READER.get_metrics_data()
    found = []
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found.extend(metric.data.data_points)
    return found


async def test_metrics_count_operations_time_them_and_count_hits_and_misses() -> None:
    store = MetricsWrapper(MemoryStore(), meter_provider=METERS, system="metrics-test")
    await store.put("k", {"v": 1}, collection="m")
    await store.get("k", collection="m")
    await store.get_many(["k", "x", "y"], collection="m")

    def mine(name: str) -> list[Any]:
        return [p for p in _points(name) if p.attributes.get("db.system.name") == "metrics-test"]

    counts = {
        (p.attributes["db.operation.name"], p.attributes["kvdeco.outcome"]): p.value
        for p in mine("kvdeco.operations")
    }
    assert counts == {("put", "ok"): 1, ("get", "hit"): 1, ("get_many", "partial"): 1}
    durations = mine("db.client.operation.duration")
    assert sum(p.count for p in durations) == 3
    assert all(p.attributes["db.collection.name"] == "m" for p in durations)
    assert sum(p.value for p in mine("kvdeco.hits")) == 2
    assert sum(p.value for p in mine("kvdeco.misses")) == 2


async def test_a_failed_operation_is_metered_with_its_error_type() -> None:
    store = MetricsWrapper(failing_first(), meter_provider=METERS, system="metrics-errors")
    with pytest.raises(ConnectionError):
        await store.get("k")
    (point,) = [
        p
        for p in _points("kvdeco.operations")
        if p.attributes.get("db.system.name") == "metrics-errors"
    ]
    assert point.attributes["kvdeco.outcome"] == "error"
    assert point.attributes["error.type"] == "ConnectionError"


async def test_with_opentelemetrys_default_provider_calls_pass_straight_on() -> None:
    # No SDK is installed globally in this test run: the global provider records nothing.
    store = traced(metered(MemoryStore()))
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    assert spans() == []


def test_the_store_system_is_named_through_wrappers() -> None:
    from kvdeco import DiskStore, RedisStore, with_statistics

    assert store_system(RedisStore) == "redis"
    assert store_system(DiskStore) == "sqlite"
    assert store_system(with_statistics(MemoryStore())) == "memory"
    assert store_system(dict) == "dict"


def test_without_opentelemetry_kvdeco_imports_and_the_wrapper_names_the_extra() -> None:
    probe = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "import kvdeco\n"
        "try:\n    kvdeco.traced(kvdeco.MemoryStore())\n"
        "except ImportError as error:\n    print(error)\n"
    )
    assert "pip install 'kvdeco[otel]'" in python_output(probe)


def test_tracing_options_are_checked() -> None:
    with pytest.raises(TypeError, match="record_keys must be a bool"):
        Tracing(record_keys="yes")  # type: ignore[arg-type]


async def test_concurrent_operations_each_get_their_own_span(store: Any) -> None:
    await asyncio.gather(*[store.get(f"k{n}") for n in range(50)])
    assert len({s.context.span_id for s in spans()}) == 50
    assert all(s.parent is None for s in spans())


def test_a_global_provider_installed_after_decorating_is_used() -> None:
    probe = (
        "import asyncio\n"
        "from opentelemetry import trace\n"
        "from opentelemetry.sdk.trace import TracerProvider\n"
        "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
        "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
        "from kvdeco import MemoryStore, traced\n"
        "store = traced(MemoryStore())\n"
        "asyncio.run(store.get('before'))\n"
        "exporter = InMemorySpanExporter(); provider = TracerProvider()\n"
        "provider.add_span_processor(SimpleSpanProcessor(exporter))\n"
        "trace.set_tracer_provider(provider)\n"
        "asyncio.run(store.get('after'))\n"
        "print([s.name for s in exporter.get_finished_spans()])\n"
    )
    assert python_output(probe).strip() == "['get memory']"


def test_the_layer_names_the_system_of_what_it_decorates_on_every_path(tmp_path: Path) -> None:
    from kvdeco import DiskStore

    decorator = traced(tracer_provider=PROVIDER)
    assert decorator.aspect.system is None  # not known until it is applied
    paths = [
        decorator(MemoryStore)(),
        decorator(MemoryStore()),
        traced(MemoryStore()),
        TracingWrapper(MemoryStore(), tracer_provider=PROVIDER),
        metered(DiskStore)(tmp_path / "one"),
        MetricsWrapper(with_statistics(DiskStore(tmp_path / "two"))),
    ]
    assert [layers(store)[0].system for store in paths] == [*["memory"] * 4, "sqlite", "sqlite"]
    assert layers(traced(system="cache")(MemoryStore)())[0].system == "cache"


async def test_a_traced_layer_in_a_stack_names_its_spans_after_the_store() -> None:
    stack = traced(tracer_provider=PROVIDER) | with_statistics
    await stack(MemoryStore)().get("k")
    await stack(MemoryStore()).get("k")
    assert [s.name for s in spans()] == ["get memory", "get memory"]


def test_an_empty_system_is_refused() -> None:
    with pytest.raises(ValueError, match="system must not be empty"):
        traced(system="")
    with pytest.raises(TypeError, match="system must be a str or None"):
        MetricsWrapper(MemoryStore(), system=5)  # type: ignore[arg-type]


async def test_an_aspect_applied_by_hand_names_the_system_of_its_store_too() -> None:
    # The engine asks every aspect what to apply to each target, on both paths.
    store = Decorator(Tracing(tracer_provider=PROVIDER), TracingWrapper)(MemoryStore())
    cls = Decorator(Tracing(tracer_provider=PROVIDER), TracingWrapper)(MemoryStore)
    await store.get("k")
    await cls().get("k")
    assert [s.name for s in spans()] == ["get memory", "get memory"]
