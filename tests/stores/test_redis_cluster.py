"""RedisStore(cluster=True) keeps the store contract on a real three-master Redis Cluster.

The cluster is started by the session fixture ``redis_cluster_url`` from the redis-server
binary, on free ports, and stopped at the end of the session.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kvdeco.stores.redis import RedisStore
from kvdeco.testing import StoreContract
from tests.stores._stack import wrapper_stack


@pytest.fixture
async def cluster_store(redis_cluster_url: str) -> AsyncIterator[RedisStore]:
    store = RedisStore(redis_cluster_url, cluster=True, namespace=f"t{uuid.uuid4().hex}")
    try:
        yield store
    finally:
        await store.destroy()
        await store.close()


class TestRedisClusterStoreContract(StoreContract):
    @pytest.fixture
    def store(self, cluster_store: RedisStore) -> RedisStore:
        return cluster_store


class TestWrappedRedisClusterStoreContract(StoreContract):
    @pytest.fixture
    def store(self, cluster_store: RedisStore) -> Any:
        return wrapper_stack(cluster_store)


def _nodes_of(store: RedisStore, keys: list[str]) -> set[str]:
    client = store.client
    prefix = store._prefix(None, "test")
    return {
        client.nodes_manager.get_node_from_slot(client.keyslot(prefix + key)).name for key in keys
    }


async def test_the_cluster_has_three_masters(cluster_store: RedisStore) -> None:
    await cluster_store.client.initialize()
    assert len(cluster_store.client.get_primaries()) == 3


async def test_bulk_operations_span_every_node(cluster_store: RedisStore) -> None:
    keys = [f"k{i}" for i in range(100)]
    await cluster_store.client.initialize()
    assert len(_nodes_of(cluster_store, keys)) == 3  # the keys really are spread out
    values = [{"i": i} for i in range(100)]
    await cluster_store.put_many(keys, values, ttl=60)
    assert await cluster_store.get_many(keys) == values
    assert [v for v, _ in await cluster_store.ttl_many(keys)] == values
    assert sorted(await cluster_store.keys()) == sorted(keys)
    assert await cluster_store.delete_many([*keys, "k0", "missing"]) == 100
    assert await cluster_store.get_many(keys) == [None] * 100


async def test_bulk_operations_cost_one_round_trip_per_node(cluster_store: RedisStore) -> None:
    keys = [f"k{i}" for i in range(60)]
    await cluster_store.put_many(keys, [{"i": i} for i in range(60)])
    client = cluster_store.client
    before = await client.info("commandstats", target_nodes=client.PRIMARIES)
    await cluster_store.get_many(keys)
    after = await client.info("commandstats", target_nodes=client.PRIMARIES)
    for node, stats in after.items():
        old = before[node]
        gets = stats.get("cmdstat_get", {}).get("calls", 0)
        assert gets == old.get("cmdstat_get", {}).get("calls", 0)
        assert stats["cmdstat_mget"]["calls"] > old.get("cmdstat_mget", {}).get("calls", 0)


async def test_a_given_cluster_client_is_recognised(redis_cluster_url: str) -> None:
    import redis.asyncio

    client = redis.asyncio.RedisCluster.from_url(redis_cluster_url)
    store = RedisStore(client=client, namespace=f"t{uuid.uuid4().hex}")
    try:
        assert store.cluster is True
        keys = [f"k{i}" for i in range(20)]
        await store.put_many(keys, [{"i": i} for i in range(20)])
        assert await store.get_many(keys) == [{"i": i} for i in range(20)]
        await store.destroy()
    finally:
        await client.aclose()


async def test_collections_and_destroy_cover_every_node(redis_cluster_url: str) -> None:
    store = RedisStore(redis_cluster_url, cluster=True, namespace=f"t{uuid.uuid4().hex}")
    try:
        for n in range(30):
            await store.put("k", {"n": n}, collection=f"c:{n}")
        assert len(await store.collections()) == 30
        assert await store.destroy() is True
        assert await store.collections() == []
    finally:
        await store.close()
