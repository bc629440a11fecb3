"""RetryWrapper: retries passing failures with capped exponential backoff, nothing else."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest
import tenacity
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import MemoryStore, StatisticsWrapper, with_statistics
from kvdeco.errors import (
    DecryptionError,
    InvalidTTLError,
    ReadOnlyError,
    StoreConnectionError,
    StoreTimeoutError,
)
from kvdeco.testing import FlakyStore, StoreContract, decorated_both_ways
from kvdeco.wrappers import retry as retry_module
from kvdeco.wrappers.retry import Retry, RetryWrapper, with_retry
from kvdeco.wrappers.timeout import TimeoutWrapper


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the backoff sleep: record the delays, wait for nothing."""
    recorded: list[float] = []

    async def no_wait(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(retry_module, "_sleep", no_wait)
    return recorded


class TestRetryKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(with_retry(initial_delay=0), MemoryStore)[request.param]


def failing_first(failures: int, error: Any = ConnectionError) -> FlakyStore:
    """A store whose first ``failures`` calls raise ``error`` (a class: a new one each time)."""
    return FlakyStore(MemoryStore(), [error] * failures)


async def test_retries_connection_errors_until_the_call_succeeds(sleeps: list[float]) -> None:
    memory = MemoryStore()
    await memory.put("k", {"v": 1})
    inner = FlakyStore(memory, [ConnectionError, ConnectionError])
    assert await RetryWrapper(inner).get("k") == {"v": 1}
    assert inner.calls["get"] == 3
    assert sleeps == [0.1, 0.2]


async def test_delays_grow_exponentially_up_to_max_delay(sleeps: list[float]) -> None:
    inner = failing_first(5)
    store = RetryWrapper(inner, max_retries=5, initial_delay=1, max_delay=50, exponential_base=10)
    assert await store.get("k") is None
    assert sleeps == [1, 10, 50, 50, 50]


async def test_gives_up_after_max_retries_with_the_last_error_as_it_was(
    sleeps: list[float],
) -> None:
    inner = failing_first(10)
    with pytest.raises(ConnectionError) as raised:
        await RetryWrapper(inner, max_retries=2).get("k")
    assert inner.calls["get"] == 3
    assert raised.value is inner.raised[-1]


async def test_zero_retries_means_one_attempt(sleeps: list[float]) -> None:
    inner = failing_first(1)
    with pytest.raises(ConnectionError):
        await RetryWrapper(inner, max_retries=0).get("k")
    assert inner.calls["get"] == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        StoreConnectionError("down", operation="get"),
        StoreTimeoutError("slow", operation="get"),
        TimeoutError("slow"),
        asyncio.TimeoutError(),
    ],
)
async def test_retries_kvdeco_and_builtin_connection_and_timeout_errors(
    sleeps: list[float], error: Exception
) -> None:
    inner = failing_first(1, error)
    assert await RetryWrapper(inner).get("k") is None
    assert inner.calls["get"] == 2


@pytest.mark.parametrize(
    "error",
    [ReadOnlyError("no", operation="put"), InvalidTTLError(0), DecryptionError("bad key")],
)
async def test_never_retries_operation_errors_even_when_asked_to(
    sleeps: list[float], error: Exception
) -> None:
    inner = failing_first(1, error)
    store = RetryWrapper(inner, retry_on=(Exception,))
    with pytest.raises(type(error)):
        await store.get("k")
    assert inner.calls["get"] == 1


async def test_never_retries_an_operation_error_on_a_later_attempt(sleeps: list[float]) -> None:
    refusal = ReadOnlyError("no", operation="get", key="k")
    inner = FlakyStore(MemoryStore(), [ConnectionError("down"), refusal])
    with pytest.raises(ReadOnlyError) as raised:
        await RetryWrapper(inner, retry_on=(Exception,)).get("k")
    assert raised.value is refusal
    assert inner.calls["get"] == 2


async def test_errors_outside_retry_on_are_not_retried(sleeps: list[float]) -> None:
    inner = failing_first(1, ValueError("nope"))
    with pytest.raises(ValueError):
        await RetryWrapper(inner).get("k")
    assert inner.calls["get"] == 1


async def test_never_retries_cancellation_even_with_base_exception(sleeps: list[float]) -> None:
    inner = failing_first(1, asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await RetryWrapper(inner, retry_on=(BaseException,)).get("k")
    assert inner.calls["get"] == 1


async def test_retries_timeouts_of_the_timeout_wrapper(sleeps: list[float]) -> None:
    slow_once = FlakyStore(MemoryStore(), [10])
    store = RetryWrapper(TimeoutWrapper(slow_once, timeout=0.01), retry_on=(TimeoutError,))
    assert await store.get("k") is None
    assert slow_once.calls["get"] == 2
    assert slow_once.cancelled == ["get"]


async def test_accepts_tenacity_strategies(sleeps: list[float]) -> None:
    inner = failing_first(5, ValueError("flaky"))
    store = RetryWrapper(
        inner,
        stop=tenacity.stop_after_attempt(3),
        wait=tenacity.wait_fixed(0.5),
        retry=tenacity.retry_if_exception_type(ValueError),
    )
    with pytest.raises(ValueError):
        await store.get("k")
    assert inner.calls["get"] == 3
    assert sleeps == [0.5, 0.5]


async def test_jitter_adds_at_most_its_amount(sleeps: list[float]) -> None:
    await RetryWrapper(failing_first(3), initial_delay=1, jitter=0.5).get("k")
    assert [1 <= s <= 1.5 for s in sleeps[:1]] == [True]
    assert all(base <= s <= base + 0.5 for base, s in zip([1, 2, 4], sleeps))


async def test_the_first_attempt_does_not_touch_tenacity(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("tenacity engaged without a failure")

    monkeypatch.setattr(tenacity, "AsyncRetrying", forbidden)
    store = RetryWrapper(MemoryStore())
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}


async def test_each_attempt_is_counted_inside_and_the_call_once_outside(
    sleeps: list[float],
) -> None:
    inner = StatisticsWrapper(failing_first(2))
    outer = with_statistics(RetryWrapper(inner))
    assert await outer.get("k") is None
    inside, outside = inner.get_statistics().get, outer.get_statistics().get
    assert (inside.errors, inside.count, inside.misses) == (2, 1, 1)
    assert (outside.errors, outside.count, outside.misses) == (0, 1, 1)


async def test_concurrent_calls_retry_independently(sleeps: list[float]) -> None:
    stores = [failing_first(n) for n in (0, 1, 2, 3)]
    wrapped = [RetryWrapper(s) for s in stores]
    await asyncio.gather(*(w.get("k") for w in wrapped))
    assert [s.calls["get"] for s in stores] == [1, 2, 3, 4]


@settings(max_examples=40, deadline=None)
@given(max_retries=st.integers(0, 6), failures=st.integers(0, 8))
def test_succeeds_iff_failures_fit_in_the_retries_and_attempts_failures_plus_one(
    max_retries: int, failures: int
) -> None:
    async def scenario() -> tuple[bool, int]:
        inner = failing_first(failures)
        store = RetryWrapper(inner, max_retries=max_retries, initial_delay=0)
        try:
            await store.get("k")
        except ConnectionError:
            return False, inner.calls["get"]
        return True, inner.calls["get"]

    succeeded, attempts = asyncio.run(scenario())
    assert succeeded == (failures <= max_retries)
    assert attempts == (failures + 1 if succeeded else max_retries + 1)


def test_the_aspect_is_a_value() -> None:
    aspect = Retry(max_retries=2)
    assert aspect == Retry(max_retries=2)
    assert hash(aspect) == hash(Retry(max_retries=2))
    assert pickle.loads(pickle.dumps(aspect)) == aspect
    assert repr(aspect).startswith("with_retry(max_retries=2, initial_delay=0.1")


def test_decorator_works_bare_and_called() -> None:
    assert with_retry(MemoryStore).__wrapped__ is MemoryStore
    assert isinstance(with_retry()(MemoryStore()), RetryWrapper)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"initial_delay": -0.1}, ValueError),
        ({"initial_delay": float("nan")}, ValueError),
        ({"max_delay": float("inf")}, ValueError),
        ({"exponential_base": 0.5}, ValueError),
        ({"jitter": -1}, ValueError),
        ({"retry_on": "ConnectionError"}, TypeError),
        ({"retry_on": (ConnectionError, int)}, TypeError),
        ({"stop": 3}, TypeError),
        ({"wait": 0.5}, TypeError),
        ({"retry": ValueError}, TypeError),
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        RetryWrapper(MemoryStore(), **options)


async def test_a_broken_store_fails_after_every_attempt(sleeps: list[float]) -> None:
    inner = FlakyStore.failing(MemoryStore(), ConnectionError("down"))
    with pytest.raises(ConnectionError):
        await RetryWrapper(inner, max_retries=1).delete_many(["a"])
    assert inner.calls == {"delete_many": 2}
