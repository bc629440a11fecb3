"""TimeoutWrapper: an operation that takes too long is cancelled and reported."""

from __future__ import annotations

import asyncio
import math
import pickle
import sys
from typing import Any

import pytest

from kvdeco import MemoryStore
from kvdeco.errors import StoreTimeoutError
from kvdeco.testing import FlakyStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.timeout import OperationTimeoutError, Timeout, TimeoutWrapper, with_timeout


def hanging() -> FlakyStore:
    """A store whose every call hangs until it is cancelled."""
    return FlakyStore.failing(MemoryStore(), math.inf)


class TestTimeoutKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(with_timeout(5.0), MemoryStore)[request.param]


async def test_a_hanging_call_raises_asyncio_timeout_error_naming_the_call() -> None:
    store = TimeoutWrapper(hanging(), timeout=0.01)
    with pytest.raises(asyncio.TimeoutError) as raised:
        await store.get("user:1", collection="users")
    message = str(raised.value)
    assert "operation=get" in message
    assert "collection='users'" in message
    assert "key='user:1'" in message


async def test_the_inner_call_is_cancelled_and_cleans_up() -> None:
    inner = hanging()
    with pytest.raises(OperationTimeoutError):
        await TimeoutWrapper(inner, timeout=0.01).get("k")
    assert inner.calls == {"get": 1}
    assert inner.cancelled == ["get"]  # resumed with the cancellation, so it could clean up
    assert inner.stalling == 0


async def test_the_timeout_is_a_builtin_and_a_kvdeco_timeout_error() -> None:
    with pytest.raises(OperationTimeoutError) as raised:
        await TimeoutWrapper(hanging(), timeout=0.01).get("k")
    assert isinstance(raised.value, TimeoutError)
    assert isinstance(raised.value, StoreTimeoutError)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is new in 3.11")
async def test_the_calling_task_is_not_left_cancelled() -> None:
    with pytest.raises(OperationTimeoutError):
        await TimeoutWrapper(hanging(), timeout=0.01).get("k")
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    await asyncio.sleep(0)  # still able to wait


async def test_a_fast_call_returns_its_result() -> None:
    store = TimeoutWrapper(MemoryStore(), timeout=1.0)
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}


async def test_a_call_that_pauses_often_returns_its_result_and_errors_unchanged() -> None:
    class Pausing(MemoryStore):
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            for _ in range(3):
                await asyncio.sleep(0)
            if key == "bad":
                raise LookupError("inner error")
            return {"key": key}

    store = TimeoutWrapper(Pausing(), timeout=1.0)
    assert await store.get("k") == {"key": "k"}
    with pytest.raises(LookupError, match="inner error"):
        await store.get("bad")


async def test_work_before_the_first_pause_counts_against_the_deadline() -> None:
    class SlowStart(MemoryStore):
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            time_now = asyncio.get_running_loop().time
            start = time_now()
            while time_now() - start < 0.05:  # busy, without pausing
                pass
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            return {}

    with pytest.raises(OperationTimeoutError):
        await TimeoutWrapper(SlowStart(), timeout=0.01).get("k")


async def test_the_inner_stores_own_timeout_passes_through_unchanged() -> None:
    own_timeout = TimeoutError("the driver gave up")
    inner = FlakyStore(MemoryStore(), [own_timeout])
    with pytest.raises(TimeoutError) as raised:
        await TimeoutWrapper(inner, timeout=5).get("k")
    assert raised.value is own_timeout


async def test_an_outer_cancellation_is_not_turned_into_a_timeout() -> None:
    inner = hanging()
    task = asyncio.ensure_future(TimeoutWrapper(inner, timeout=5).get("k"))
    await asyncio.wait_for(inner.wait_for_stall(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert inner.cancelled == ["get"]


async def test_bulk_timeouts_say_how_many_keys() -> None:
    with pytest.raises(OperationTimeoutError, match="for 3 keys"):
        await TimeoutWrapper(hanging(), timeout=0.01).get_many(["a", "b", "c"])


@pytest.mark.parametrize("timeout", [0, -1, math.nan, math.inf, True, "5", None])
def test_invalid_timeouts_are_refused(timeout: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        TimeoutWrapper(MemoryStore(), timeout=timeout)


def test_the_aspect_is_a_value() -> None:
    assert Timeout(2) == Timeout(2.0)
    assert pickle.loads(pickle.dumps(Timeout(2))) == Timeout(2)
    assert repr(with_timeout(2)) == "with_timeout(timeout=2.0)"
