"""With its store down, a cached function still answers: in the store's timeout plus its own time.

The paused server is a ``redis-server`` this test starts on its own port and stops by its pid.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kvdeco import RedisStore, RetryWrapper, StatisticsWrapper, TimeoutWrapper
from kvdeco.caching import cached
from tests.redis_server import RedisProcess, free_port, require_redis_server

STORE_TIMEOUT = 0.3
WORK = 0.05
# What a loaded two-core machine may add to a timer: reported, and generous on purpose.
SLACK = 1.0


def stack_over(store: Any) -> Any:
    """Statistics over a whole-call deadline over retry: the store's timeout is STORE_TIMEOUT."""
    return StatisticsWrapper(TimeoutWrapper(RetryWrapper(store, initial_delay=0.02), STORE_TIMEOUT))


def function_over(stack: Any) -> Any:
    @cached(stack, ttl=60)
    async def compute(item: int) -> dict[str, int]:
        await asyncio.sleep(WORK)
        return {"item": item}

    return compute


async def timed_calls(compute: Any, count: int) -> list[float]:
    async def one(item: int) -> float:
        start = time.perf_counter()
        assert await compute(item) == {"item": item}
        return time.perf_counter() - start

    return list(await asyncio.gather(*[one(i) for i in range(count)]))


async def test_with_the_connection_refused_calls_return_the_function_result() -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", namespace="cached-down")
    compute = function_over(stack_over(store))
    latencies = await timed_calls(compute, 20)
    print(f"refused: max call {max(latencies) * 1000:.0f} ms")
    assert max(latencies) < STORE_TIMEOUT + WORK + SLACK
    await asyncio.wait_for(compute.wait_pending(), STORE_TIMEOUT + SLACK)
    assert compute.statistics.misses == 20
    assert compute.statistics.errors == 40  # every read and every write failed, none raised
    await store.close()


@pytest.fixture
def paused_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    require_redis_server()
    with RedisProcess(tmp_path) as server:
        yield server


async def test_with_the_server_paused_calls_return_within_the_timeout_plus_the_work(
    paused_redis: RedisProcess,
) -> None:
    store = RedisStore(paused_redis.url, namespace="cached-paused")
    compute = function_over(stack_over(store))
    assert await compute(-1) == {"item": -1}  # connect while the server answers
    await compute.wait_pending()
    paused_redis.pause()
    latencies = await timed_calls(compute, 20)
    print(f"paused: max call {max(latencies) * 1000:.0f} ms")
    assert max(latencies) < STORE_TIMEOUT + WORK + SLACK
    await asyncio.wait_for(compute.wait_pending(), STORE_TIMEOUT + SLACK)
    assert compute.statistics.errors == 40
    paused_redis.resume()
    # Back up: the results are cached again.
    assert await compute(1) == {"item": 1}
    await compute.wait_pending()
    hits = compute.statistics.hits
    assert await compute(1) == {"item": 1}
    assert compute.statistics.hits == hits + 1
    await store.destroy()
    await store.close()
