"""StatisticsWrapper keeps the store contract and counts every key exactly, per collection."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kvdeco import MemoryStore, StatisticsWrapper, with_statistics
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
