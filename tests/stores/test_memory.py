"""MemoryStore keeps the store contract, and its own promises: LRU bound, culling, clock."""

from __future__ import annotations

import pickle

import pytest

from kvdeco import MemoryStore
from kvdeco.protocols import SupportsCollections, SupportsCull, SupportsDestroy, SupportsKeys
from kvdeco.testing import StoreContract


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestMemoryStoreContract(StoreContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()


async def test_a_bounded_collection_evicts_the_least_recently_used() -> None:
    store = MemoryStore(max_entries_per_collection=2)
    await store.put("a", {"n": 1})
    await store.put("b", {"n": 2})
    await store.get("a")  # now "b" is the least recently used
    await store.put("c", {"n": 3})
    assert await store.get_many(["a", "b", "c"]) == [{"n": 1}, None, {"n": 3}]


async def test_the_bound_is_per_collection() -> None:
    store = MemoryStore(max_entries_per_collection=1)
    await store.put("a", {"n": 1}, collection="x")
    await store.put("a", {"n": 1}, collection="y")
    assert await store.get("a", collection="x") == {"n": 1}


@pytest.mark.parametrize("bound", [0, -1])
def test_a_bound_below_one_is_refused(bound: int) -> None:
    with pytest.raises(ValueError, match="max_entries_per_collection"):
        MemoryStore(max_entries_per_collection=bound)


@pytest.mark.parametrize("bound", [True, 1.5, "2"])
def test_a_bound_that_is_not_an_int_is_a_type_error(bound: object) -> None:
    with pytest.raises(TypeError, match="max_entries_per_collection"):
        MemoryStore(max_entries_per_collection=bound)  # type: ignore[arg-type]


def test_a_clock_that_cannot_be_called_is_refused() -> None:
    with pytest.raises(TypeError, match="clock"):
        MemoryStore(clock=3)  # type: ignore[arg-type]


async def test_expiry_follows_the_clock_it_is_given() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    await store.put("k", {"v": 1}, ttl=10)
    clock.now += 4
    assert await store.ttl("k") == ({"v": 1}, pytest.approx(6))
    clock.now += 6
    assert await store.get("k") is None


async def test_cull_drops_expired_entries_and_empty_collections() -> None:
    clock = FakeClock()
    store = MemoryStore(clock=clock)
    await store.put("old", {"v": 1}, collection="c", ttl=1)
    await store.put("kept", {"v": 1}, collection="d")
    clock.now += 2
    await store.cull()
    assert await store.collections() == ["d"]


async def test_listing_and_destroying() -> None:
    store = MemoryStore()
    await store.put("a", {}, collection="x")
    await store.put("b", {}, collection="y")
    assert sorted(await store.collections()) == ["x", "y"]
    assert await store.collections(limit=1) in (["x"], ["y"])
    assert await store.destroy() is True
    assert await store.destroy() is False
    assert await store.collections() == []


def test_has_every_capability() -> None:
    store = MemoryStore()
    for capability in (SupportsKeys, SupportsCollections, SupportsDestroy, SupportsCull):
        assert isinstance(store, capability)


async def test_pickles_with_its_data() -> None:
    store = MemoryStore()
    await store.put("k", {"v": 1})
    copy = pickle.loads(pickle.dumps(store))
    assert await copy.get("k") == {"v": 1}


async def test_async_with_gives_the_store() -> None:
    async with MemoryStore() as store:
        assert isinstance(store, MemoryStore)


async def test_passes_py_key_value_isinstance_check() -> None:
    from key_value.aio.protocols.key_value import AsyncKeyValue

    assert isinstance(MemoryStore(), AsyncKeyValue)


@pytest.mark.parametrize("limit", ["5", 2.5, True])
async def test_a_listing_limit_that_is_not_an_int_is_refused_by_name(limit: object) -> None:
    store = MemoryStore()
    await store.put("k", {"v": 1})
    with pytest.raises(TypeError, match="limit"):
        await store.keys(limit=limit)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        await store.collections(limit=limit)  # type: ignore[arg-type]
