"""LoggingWrapper: one structured event per operation, never a value unless asked."""

from __future__ import annotations

import io
import json
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from kvdeco import MemoryStore
from kvdeco.testing import FlakyStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.logging import Logging, LoggingWrapper, logged

SECRET = "hunter2-canary"


@pytest.fixture(autouse=True)
def unconfigured_structlog() -> Iterator[None]:
    """Each test starts, and leaves, structlog as an application that never configured it."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


class TestLoggingKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(logged(log_level=logging.DEBUG), MemoryStore)[request.param]


async def test_with_plain_logging_the_line_reads_like_the_specification(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    store = LoggingWrapper(key_value=MemoryStore(), log_level=logging.INFO)
    await store.put(key="test", value={"data": "value"})
    (record,) = caplog.records
    assert record.name == "kvdeco"
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("PUT key='test' collection=None ttl=None outcome='ok'")
    assert "duration_ms=" in record.getMessage()


async def test_structured_logs_write_one_json_object_per_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # py-key-value's option: code that passes it runs unchanged.
    caplog.set_level(logging.INFO)
    store = LoggingWrapper(key_value=MemoryStore(), structured_logs=True)
    await store.put(key="test", value={"data": "secret"}, collection="c")
    (record,) = caplog.records
    event = json.loads(record.getMessage())
    assert (event["event"], event["operation"], event["key"]) == ("PUT", "put", "test")
    assert (event["collection"], event["outcome"]) == ("c", "ok")
    assert "secret" not in record.getMessage()


async def test_each_operation_gives_one_event_with_its_fields() -> None:
    store = LoggingWrapper(MemoryStore())
    with capture_logs() as events:
        await store.put("a", {"n": 1}, collection="c", ttl=60)
        await store.get("a", collection="c")
        await store.get("missing", collection="c")
        await store.get_many(["a", "missing", "a"], collection="c")
        await store.delete("a", collection="c")
        await store.delete_many(["a", "b"], collection="c")
    assert [e["event"] for e in events] == [
        "PUT",
        "GET",
        "GET",
        "GET_MANY",
        "DELETE",
        "DELETE_MANY",
    ]
    put, hit, miss, many, deleted, deleted_many = events
    assert put["operation"] == "put"
    assert (put["key"], put["collection"], put["ttl"], put["outcome"]) == ("a", "c", 60, "ok")
    assert isinstance(put["duration_ms"], float) and put["duration_ms"] >= 0
    assert put["log_level"] == "info"
    assert (hit["outcome"], miss["outcome"]) == ("hit", "miss")
    assert (many["keys"], many["hits"], many["misses"]) == (3, 2, 1)
    assert "key" not in many
    assert deleted["outcome"] == "deleted"
    assert (deleted_many["keys"], deleted_many["deleted"]) == (2, 0)


async def test_an_error_is_logged_with_its_type_at_warning_and_raised() -> None:
    store = LoggingWrapper(
        FlakyStore.failing(MemoryStore(), ConnectionError("down")), log_level=logging.DEBUG
    )
    with capture_logs() as events, pytest.raises(ConnectionError):
        await store.get("k")
    (event,) = events
    assert (event["outcome"], event["error"], event["log_level"]) == (
        "error",
        "ConnectionError",
        "warning",
    )


async def test_follows_structlogs_own_configuration() -> None:
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(file=out),
    )
    await LoggingWrapper(MemoryStore()).put("k", {"v": 1})
    (line,) = out.getvalue().splitlines()
    event = json.loads(line)
    assert (event["event"], event["key"], event["outcome"], event["level"]) == (
        "PUT",
        "k",
        "ok",
        "info",
    )


async def test_a_disabled_level_logs_nothing_and_builds_nothing(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING, logger="kvdeco")

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("an event was built for a disabled level")

    monkeypatch.setattr(structlog, "wrap_logger", forbidden)
    store = LoggingWrapper(MemoryStore(), log_level=logging.INFO)
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    assert caplog.records == []


async def test_a_failure_is_logged_at_warning_even_when_the_configured_level_is_disabled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kvdeco")
    store = LoggingWrapper(
        FlakyStore.failing(MemoryStore(), ConnectionError("down")), log_level=logging.DEBUG
    )
    with pytest.raises(ConnectionError):
        await store.get("k")
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "GET" in record.getMessage() and "ConnectionError" in record.getMessage()


async def test_a_disabled_level_of_a_structlog_logger_logs_nothing() -> None:
    out = io.StringIO()
    logger = structlog.wrap_logger(
        structlog.PrintLogger(out),
        wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR),
    )
    await LoggingWrapper(MemoryStore(), logger=logger).get("k")
    assert out.getvalue() == ""


async def test_a_given_logging_logger_is_used(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    mine = logging.getLogger("my.app.cache")
    await LoggingWrapper(MemoryStore(), logging.DEBUG, logger=mine).get("k")
    (record,) = caplog.records
    assert (record.name, record.levelno) == ("my.app.cache", logging.DEBUG)
    assert record.kvdeco["outcome"] == "miss"  # type: ignore[attr-defined]


async def _use_with_a_secret(store: Any) -> None:
    await store.put("k", {"password": SECRET})
    await store.put_many(["a", "b"], [{"p": SECRET}, {"p": SECRET}])
    await store.get("k")
    await store.ttl("k")
    await store.get_many(["k", "a"])
    await store.ttl_many(["k", "a"])


async def test_canary_a_value_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = LoggingWrapper(MemoryStore(), logging.DEBUG)
    await _use_with_a_secret(store)
    failing = LoggingWrapper(
        FlakyStore.failing(MemoryStore(), ValueError(f"cannot store {SECRET}")), logging.DEBUG
    )
    with pytest.raises(ValueError):
        await failing.put("k", {"password": SECRET})
    with capture_logs() as events:
        await _use_with_a_secret(store)
        with pytest.raises(ValueError):
            await failing.get("k")
    assert len(caplog.records) == 7
    assert SECRET not in caplog.text
    assert all(SECRET not in repr(r.__dict__) for r in caplog.records)
    assert len(events) == 7
    assert SECRET not in repr(events)


async def test_values_are_logged_only_when_asked() -> None:
    store = LoggingWrapper(MemoryStore(), log_values=True)
    with capture_logs() as events:
        await store.put("k", {"v": SECRET})
        await store.get("k")
        await store.get_many(["k"])
    assert events[0]["value"] == {"v": SECRET}
    assert events[1]["value"] == {"v": SECRET}
    assert events[2]["values"] == [{"v": SECRET}]


async def test_capabilities_are_logged_too() -> None:
    store = logged(MemoryStore())
    await store.put("k", {})
    with capture_logs() as events:
        assert await store.keys() == ["k"]
    assert (events[0]["event"], events[0]["count"]) == ("KEYS", 1)


def test_decorator_works_bare_and_called() -> None:
    assert logged(MemoryStore).__wrapped__ is MemoryStore
    assert isinstance(logged(log_values=True)(MemoryStore()), LoggingWrapper)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"log_level": 15}, ValueError),
        ({"log_level": "loud"}, ValueError),
        ({"log_level": True}, TypeError),
        ({"log_level": 20.0}, TypeError),
        ({"log_values": "yes"}, TypeError),
        ({"logger": "kvdeco"}, TypeError),
        ({"structured_logs": "yes"}, TypeError),
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        LoggingWrapper(MemoryStore(), **options)


def test_an_unknown_level_name_is_quoted_as_given() -> None:
    with pytest.raises(ValueError, match="not 'loud'"):
        LoggingWrapper(MemoryStore(), log_level="loud")


def test_level_names_are_accepted_and_the_aspect_is_a_value() -> None:
    assert Logging(log_level="debug") == Logging(log_level=logging.DEBUG)
    assert pickle.loads(pickle.dumps(Logging())) == Logging()
    assert repr(Logging()) == (
        "logged(log_level=20, log_values=False, logger=None, structured_logs=False)"
    )
