"""FlakyStore fails or stalls exactly on schedule and changes nothing when it fails; a hung call
lasts until cancelled; RecordingStore sees every call and TTL; both keep the capabilities of
the store they wrap."""

from __future__ import annotations

import asyncio
import math
import time

import pytest

from kvdeco import MemoryStore, with_statistics
from kvdeco.testing import FlakyStore, RecordedCall, RecordingStore


async def test_a_flaky_store_fails_the_scheduled_calls_in_order() -> None:
    timeout = TimeoutError("slow")
    store = FlakyStore(MemoryStore(), [ConnectionError, None, timeout])
    with pytest.raises(ConnectionError, match="injected fault in put"):
        await store.put("k", {"v": 1})
    await store.put("k", {"v": 2})
    with pytest.raises(TimeoutError) as raised:
        await store.get("k")
    assert raised.value is timeout
    assert await store.get("k") == {"v": 2}
    assert store.calls == {"put": 2, "get": 2}
    assert [type(e) for e in store.raised] == [ConnectionError, TimeoutError]


async def test_a_failed_call_does_not_reach_the_store() -> None:
    inner = MemoryStore()
    store = FlakyStore(inner, [ConnectionError])
    with pytest.raises(ConnectionError):
        await store.put("k", {"v": 1})
    assert await inner.get("k") is None


async def test_a_numbered_schedule_and_chosen_operations() -> None:
    store = FlakyStore(
        MemoryStore(), lambda op, n: ConnectionError if n % 2 == 0 else None, operations={"get"}
    )
    await store.put("k", {"v": 1})  # not a get: never fails
    with pytest.raises(ConnectionError):
        await store.get("k")
    assert await store.get("k") == {"v": 1}


async def test_an_outage_lasts_until_rescheduled() -> None:
    store = FlakyStore.failing(MemoryStore())
    for _ in range(3):
        with pytest.raises(ConnectionError):
            await store.get("k")
    store.schedule(())
    assert await store.get("k") is None


async def test_an_outage_lasts_until_recovered() -> None:
    store = FlakyStore(MemoryStore(), [None])
    await store.put("k", {"v": 1})
    store.outage(TimeoutError)
    for _ in range(2):
        with pytest.raises(TimeoutError, match="injected fault in get"):
            await store.get("k")
    store.recover()
    assert await store.get("k") == {"v": 1}
    assert store.calls == {"put": 1, "get": 3}


async def test_a_stall_delays_the_call_then_lets_it_through() -> None:
    store = FlakyStore(MemoryStore(), [0.05])
    started = time.monotonic()
    await store.put("k", {"v": 1})
    assert time.monotonic() - started >= 0.05
    assert await store.get("k") == {"v": 1}
    assert store.cancelled == [] and store.stalling == 0


async def test_a_hang_lasts_until_the_call_is_cancelled() -> None:
    inner = MemoryStore()
    store = FlakyStore.failing(inner, math.inf)
    waiting = asyncio.ensure_future(store.wait_for_stall())
    await asyncio.sleep(0)
    assert not waiting.done()  # nothing stalls yet
    call = asyncio.ensure_future(store.put("k", {"v": 1}))
    await asyncio.wait_for(waiting, 5)
    assert store.stalling == 1
    await asyncio.wait_for(store.wait_for_stall(), 0.01)  # one is stalling: returns at once
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert store.cancelled == ["put"] and store.stalling == 0
    assert await inner.get("k") is None  # the hung call never reached the store


async def test_a_timeout_cancels_a_hung_call() -> None:
    store = FlakyStore(MemoryStore(), [math.inf])
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(store.get("k"), 0.01)
    assert store.cancelled == ["get"]
    assert await store.get("k") is None  # the schedule ran out: the next call goes through


async def test_a_recording_store_records_calls_and_ttls() -> None:
    store = RecordingStore(MemoryStore())
    await store.put("a", {}, collection="c", ttl=5)
    await store.put_many(["b", "c"], [{}, {}], ttl=None)
    await store.get_many(["a", "b"], collection="c")
    assert store.calls == {"put": 1, "put_many": 1, "get_many": 1}
    assert store.operations == ["put", "put_many", "get_many"]
    assert store.ttls == [5, None]
    assert store.log[0] == RecordedCall("put", "c", ("a",), 5)
    store.reset()
    assert store.log == [] and store.operations == [] and not store.calls


async def test_test_doubles_keep_the_capabilities_and_stack() -> None:
    recording = RecordingStore(FlakyStore(MemoryStore()))
    store = with_statistics(recording)
    await store.put("k", {"v": 1}, collection="c")
    assert await store.keys("c") == ["k"]
    assert recording.calls["keys"] == 1
    recording.reset()
    await store.get("k", collection="c")
    assert recording.calls == {"get": 1}


def test_a_schedule_that_is_neither_a_list_nor_a_function_is_refused() -> None:
    with pytest.raises(TypeError, match="schedule"):
        FlakyStore(MemoryStore(), 3)  # type: ignore[arg-type]
