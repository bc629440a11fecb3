"""RedisStore under load: bursts wait for a connection, large bulk calls go in chunks."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kvdeco.errors import KeyValueStoreError, StoreConnectionError
from kvdeco.stores.redis import BULK_CHUNK, RedisStore
from tests.stores._kinds import cleaned_up


@pytest.mark.redis
async def test_a_burst_of_2000_concurrent_calls_all_succeed_on_a_default_store(
    redis_store: RedisStore,
) -> None:
    async def one(i: int) -> Any:
        await redis_store.put(f"k{i}", {"i": i}, ttl=60)
        return await redis_store.get(f"k{i}")

    started = time.perf_counter()
    results = await asyncio.gather(*(one(i) for i in range(2000)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    print(f"2000 concurrent put+get: {time.perf_counter() - started:.2f} s")
    assert failures == []
    assert results == [{"i": i} for i in range(2000)]


@pytest.mark.redis
async def test_the_pool_never_opens_more_than_max_connections(redis_url: str) -> None:
    name = f"t{uuid.uuid4().hex}"
    store = RedisStore(redis_url, namespace=name, max_connections=3, client_name=name)
    try:
        results = await asyncio.gather(*(store.get(f"k{i}") for i in range(300)))
        assert results == [None] * 300
        clients = await store.client.client_list()
        assert 1 <= sum(1 for client in clients if client["name"] == name) <= 3
    finally:
        await store.close()


@pytest.mark.redis
async def test_a_call_waits_at_most_pool_timeout_for_a_connection(redis_url: str) -> None:
    store = RedisStore(
        redis_url, namespace=f"t{uuid.uuid4().hex}", max_connections=1, pool_timeout=0.2
    )
    try:
        held = await store.client.connection_pool.get_connection()
        started = time.monotonic()
        with pytest.raises(StoreConnectionError):
            await store.get("k")
        waited = time.monotonic() - started
        await store.client.connection_pool.release(held)
        assert await store.get("k") is None
        assert 0.15 <= waited < 30
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("max_connections", "pool_timeout", "error"),
    [(0, 1.0, ValueError), (True, 1.0, TypeError), (5, -1.0, ValueError), (5, "1", TypeError)],
)
def test_pool_settings_are_checked(max_connections: Any, pool_timeout: Any, error: type) -> None:
    with pytest.raises(error):
        RedisStore(max_connections=max_connections, pool_timeout=pool_timeout)


@pytest.fixture
async def counted_store(private_redis_url: str) -> AsyncIterator[RedisStore]:
    """A store on this test run's own server, whose command counts no other test changes."""
    async with cleaned_up(RedisStore(private_redis_url, namespace=f"t{uuid.uuid4().hex}")) as store:
        yield store


async def _calls(store: RedisStore, command: str) -> int:
    stats = await store.client.info("commandstats")
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


async def _max_stall(work: Any) -> tuple[Any, float]:
    """Run ``work`` while a ticker measures the longest the event loop was held."""
    stop, gaps = asyncio.Event(), [0.0]

    async def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        return await work, max(gaps)
    finally:
        stop.set()
        await ticker


async def test_large_bulk_reads_and_deletes_go_one_round_trip_per_chunk(
    counted_store: RedisStore,
) -> None:
    count = 3 * BULK_CHUNK + 7
    keys = [f"k{i}" for i in range(count)]
    values = [{"i": i} for i in range(count)]
    await counted_store.put_many(keys, values, ttl=600)
    chunks = math.ceil(count / BULK_CHUNK)

    before = await _calls(counted_store, "mget")
    found, get_stall = await _max_stall(counted_store.get_many(keys))
    assert found == values
    assert await _calls(counted_store, "mget") - before == chunks

    before = await _calls(counted_store, "pttl")
    pairs, ttl_stall = await _max_stall(counted_store.ttl_many(keys))
    assert [value for value, _ in pairs] == values
    assert all(remaining is not None and 0 < remaining <= 600 for _, remaining in pairs)
    assert await _calls(counted_store, "pttl") - before == count

    before = await _calls(counted_store, "del")
    deleted, delete_stall = await _max_stall(counted_store.delete_many([*keys, "k0", "none"]))
    assert deleted == count
    assert await _calls(counted_store, "del") - before == chunks
    assert await counted_store.get_many(keys[:10]) == [None] * 10
    print(
        f"{count} keys, longest loop stall: get_many {get_stall * 1000:.0f} ms, "
        f"ttl_many {ttl_stall * 1000:.0f} ms, delete_many {delete_stall * 1000:.0f} ms"
    )


async def test_a_large_put_many_is_still_one_transaction(counted_store: RedisStore) -> None:
    count = 2 * BULK_CHUNK + 1
    keys = [f"k{i}" for i in range(count)]
    before = await _calls(counted_store, "exec")
    await counted_store.put_many(keys, [{"i": i} for i in range(count)], ttl=60)
    assert await _calls(counted_store, "exec") - before == 1
    assert len(await counted_store.keys()) == count


async def test_a_burst_of_2000_concurrent_calls_all_succeed_on_a_cluster(
    redis_cluster_url: str,
) -> None:
    store = RedisStore(redis_cluster_url, cluster=True, namespace=f"t{uuid.uuid4().hex}")

    async def one(i: int) -> Any:
        await store.put(f"k{i}", {"i": i}, ttl=60)
        return await store.get(f"k{i}")

    try:
        results = await asyncio.gather(*(one(i) for i in range(2000)), return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert results == [{"i": i} for i in range(2000)]
    finally:
        await store.destroy()
        await store.close()


async def test_a_cluster_call_waits_at_most_pool_timeout_for_a_turn(
    redis_cluster_url: str,
) -> None:
    store = RedisStore(
        redis_cluster_url,
        cluster=True,
        namespace=f"t{uuid.uuid4().hex}",
        max_connections=1,
        pool_timeout=0.2,
    )
    try:
        assert await store.get("k") is None
        turn = asyncio.Event()

        async def hold_the_only_turn() -> None:
            await turn.wait()

        holder = asyncio.create_task(store._ask(hold_the_only_turn(), "test", None))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(StoreConnectionError, match="pool_timeout"):
            await store.get("k")
        waited = time.monotonic() - started
        turn.set()
        await holder
        assert await store.get("k") is None
        assert 0.15 <= waited < 30
    finally:
        await store.close()


async def test_a_large_put_many_on_a_cluster_writes_every_entry_once(
    redis_cluster_url: str,
) -> None:
    count = 2 * BULK_CHUNK + 3
    keys = [f"k{i}" for i in range(count)]
    values = [{"i": i} for i in range(count)]
    store = RedisStore(redis_cluster_url, cluster=True, namespace=f"t{uuid.uuid4().hex}")
    async with cleaned_up(store):
        client = store.client
        await client.initialize()
        before = await client.info("commandstats", target_nodes=client.PRIMARIES)
        await store.put_many(keys, values, ttl=60)
        after = await client.info("commandstats", target_nodes=client.PRIMARIES)
        assert await store.get_many(keys) == values
        assert (
            sum(
                stats["cmdstat_set"]["calls"] - before[node].get("cmdstat_set", {}).get("calls", 0)
                for node, stats in after.items()
            )
            == count
        )


async def test_a_large_put_many_is_all_or_nothing_when_cancelled_midway(
    counted_store: RedisStore,
) -> None:
    count = 20 * BULK_CHUNK
    keys = [f"k{i}" for i in range(count)]
    values = [{"i": i} for i in range(count)]
    outcomes = []
    for delay in (0.005, 0.02, 0.05, 0.1):
        await counted_store.destroy()
        write = asyncio.create_task(counted_store.put_many(keys, values, ttl=600))
        await asyncio.sleep(delay)
        write.cancel()
        try:
            await write
            outcomes.append("done")
        except asyncio.CancelledError:
            outcomes.append("cancelled")
        written = len(await counted_store.keys())
        assert written in (0, count)  # never a part of the batch
        # The connection was not left inside MULTI: a later write is applied at once.
        await counted_store.put("after", {"ok": True})
        assert await counted_store.get("after") == {"ok": True}
    print(f"put_many of {count} keys cancelled after 5/20/50/100 ms: {outcomes}")


async def test_a_large_put_many_refused_by_the_server_writes_nothing(
    counted_store: RedisStore,
) -> None:
    count = 3 * BULK_CHUNK
    keys = [f"k{i}" for i in range(count)]
    await counted_store.client.config_set("maxmemory", "1")
    try:
        with pytest.raises(KeyValueStoreError):
            await counted_store.put_many(keys, [{"i": i} for i in range(count)], ttl=60)
    finally:
        await counted_store.client.config_set("maxmemory", "0")
    assert await counted_store.keys() == []
    await counted_store.put_many(keys, [{"i": i} for i in range(count)])
    assert len(await counted_store.keys()) == count
