"""StatisticsWrapper keeps the store contract and counts every key exactly, per collection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kvdeco import MemoryStore, SerializationError, StatisticsWrapper, with_statistics
from kvdeco.testing import StoreContract, decorated_both_ways


class TestStatisticsContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(with_statistics, MemoryStore)[request.param]


@pytest.fixture(params=["class", "instance"])
def counted(request: pytest.FixtureRequest) -> Any:
    return decorated_both_ways(with_statistics, MemoryStore)[request.param]


async def test_gets_count_hits_and_misses(counted: Any) -> None:
    await counted.put("k", {"v": 1})
    await counted.get("k")
    await counted.get("absent")
    stats = counted.get_statistics()
    assert (stats.get.count, stats.get.hits, stats.get.misses) == (2, 1, 1)
    assert stats.get.hit_rate() == 0.5
    assert stats.put.count == 1


async def test_bulk_operations_count_each_key_duplicates_included(counted: Any) -> None:
    await counted.put_many(["a", "a", "b"], [{"v": 1}, {"v": 2}, {"v": 3}])
    await counted.get_many(["a", "b", "a", "zz"])
    await counted.ttl_many(["a", "zz"])
    await counted.delete_many(["a", "a", "zz"])
    stats = counted.get_statistics()
    assert stats.put.count == 3
    assert (stats.get.count, stats.get.hits, stats.get.misses) == (4, 3, 1)
    assert (stats.ttl.count, stats.ttl.hits, stats.ttl.misses) == (2, 1, 1)
    assert (stats.delete.count, stats.delete.hits, stats.delete.misses) == (3, 1, 2)


async def test_empty_bulk_operations_count_nothing(counted: Any) -> None:
    await counted.get_many([])
    await counted.put_many([], [])
    await counted.delete_many([])
    assert counted.get_statistics().count == 0


async def test_counts_are_kept_per_collection_and_totalled(counted: Any) -> None:
    await counted.put("k", {"v": 1}, collection="users")
    await counted.get("k", collection="users")
    await counted.get("k")
    assert counted.get_statistics("users").get.hits == 1
    assert counted.get_statistics("default_collection").get.misses == 1
    assert counted.get_statistics().get.count == 2
    assert counted.statistics.collections["users"].get.hit == 1
    assert counted.get_statistics("never-used").count == 0


async def test_concurrent_operations_are_counted_exactly(counted: Any) -> None:
    await asyncio.gather(*(counted.put(f"k{i}", {"i": i}) for i in range(200)))
    await asyncio.gather(*(counted.get(f"k{i}") for i in range(400)))
    stats = counted.get_statistics()
    assert (stats.put.count, stats.get.hits, stats.get.misses) == (200, 200, 200)


async def test_a_failing_call_counts_an_error_per_key() -> None:
    store = StatisticsWrapper(key_value=MemoryStore())
    with pytest.raises(ValueError):
        await store.put_many(["a", "b"], [{"v": 1}])
    stats = store.get_statistics()
    assert (stats.put.errors, stats.put.count) == (2, 0)


async def test_reset_forgets_every_count(counted: Any) -> None:
    await counted.get("k")
    counted.reset_statistics()
    assert counted.get_statistics().count == 0
    assert counted.statistics.collections == {}


async def test_each_store_has_its_own_counts() -> None:
    cls = with_statistics(MemoryStore)
    first, second = cls(), cls()
    await first.get("k")
    assert second.get_statistics().count == 0
    assert first.get_statistics().get.misses == 1


class SlowStore(MemoryStore):
    """A MemoryStore whose gets take at least 20 ms."""

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        await asyncio.sleep(0.02)
        return await super().get(key, collection=collection)


@pytest.mark.parametrize("path", ["class", "instance"])
async def test_latency_is_measured_per_call_per_collection_and_in_total(path: str) -> None:
    store = decorated_both_ways(with_statistics, SlowStore)[path]
    await store.put("k", {"v": 1}, collection="a")
    await store.get("k", collection="a")
    await store.get_many(["k", "x"], collection="b")  # one call, however many keys
    a, total = store.get_statistics("a"), store.get_statistics()
    assert a.get.latency.count == 1 and a.put.latency.count == 1
    assert total.get.latency.count == 2
    assert a.get.latency.p50 >= 0.02 * 0.95  # a bucket's width below at most
    assert total.get.latency.max >= total.get.latency.p99 >= total.get.latency.p50 > 0
    assert total.put.latency.max < total.get.latency.max


async def test_a_failed_call_is_timed_too() -> None:
    store = with_statistics(MemoryStore())
    with pytest.raises(SerializationError):
        await store.put("k", {"v": object()})
    assert store.get_statistics().put.latency.count == 1
