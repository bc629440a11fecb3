"""PassthroughCacheWrapper: read-through copies with clamped TTLs, bulk fills, invalidation."""

from __future__ import annotations

import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import MemoryStore
from kvdeco.testing import StoreContract, decorated_both_ways
from kvdeco.wrappers.passthrough_cache import (
    PassthroughCache,
    PassthroughCacheWrapper,
    passthrough_cache,
)
from tests.wrappers.faults import RecordingStore


class TestPassthroughCacheKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(passthrough_cache(MemoryStore()), MemoryStore)[request.param]


@pytest.fixture
def cache() -> RecordingStore:
    return RecordingStore()


@pytest.fixture
def backend() -> RecordingStore:
    return RecordingStore()


async def test_a_miss_is_read_from_the_store_and_copied_with_its_remaining_ttl(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await MemoryStore.put(backend, "k", {"v": 1}, ttl=100)
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("k") == {"v": 1}
    assert backend.names() == ["ttl"]
    (put,) = [c for c in cache.calls if c[0] == "put"]
    assert put[2] == pytest.approx(100, abs=1)
    assert await store.get("k") == {"v": 1}
    assert backend.names() == ["ttl"]  # the second read was a cache hit


@pytest.mark.parametrize(
    ("store_ttl", "cache_ttl"),
    [(None, 30.0), (10, 10.0), (59, 59.0), (3600, 60.0)],
)
async def test_copies_are_clamped_to_maximum_ttl_and_missing_ttl(
    cache: RecordingStore, backend: RecordingStore, store_ttl: float | None, cache_ttl: float
) -> None:
    await MemoryStore.put(backend, "k", {"v": 1}, ttl=store_ttl)
    store = PassthroughCacheWrapper(cache=cache, store=backend, maximum_ttl=60, missing_ttl=30)
    await store.get("k")
    (put,) = [c for c in cache.calls if c[0] == "put"]
    assert put[2] == pytest.approx(cache_ttl, abs=1)


async def test_an_empty_mapping_is_cached_and_hit(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await MemoryStore.put(backend, "empty", {})
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("empty") == {}
    assert await store.get("empty") == {}
    assert backend.names() == ["ttl"]


async def test_misses_are_not_cached(cache: RecordingStore, backend: RecordingStore) -> None:
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("absent") is None
    assert cache.names() == ["get"]


async def test_bulk_misses_fill_the_cache_with_one_put_many_per_ttl(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await MemoryStore.put_many(backend, ["a", "b"], [{"n": 1}, {"n": 2}])
    await MemoryStore.put_many(backend, ["c", "d"], [{"n": 3}, {"n": 4}], ttl=7200)
    await MemoryStore.put(cache, "a", {"n": 1})
    store = PassthroughCacheWrapper(cache=cache, store=backend, maximum_ttl=60, missing_ttl=30)
    keys = ["a", "b", "c", "missing", "d", "b"]
    expected = [{"n": 1}, {"n": 2}, {"n": 3}, None, {"n": 4}, {"n": 2}]
    assert await store.get_many(keys) == expected
    assert backend.calls == [("ttl_many", ("b", "c", "missing", "d"), None)]
    fills = sorted((c for c in cache.calls if c[0].startswith("put")), key=lambda c: c[2])
    assert fills == [("put_many", ("b",), 30.0), ("put_many", ("c", "d"), 60.0)]
    cache.calls.clear()
    assert await store.get_many(keys) == expected
    assert cache.names() == ["get_many"]
    assert backend.calls[1:] == [("ttl_many", ("missing",), None)]  # absences are not cached


async def test_repeated_keys_get_separate_dicts(backend: RecordingStore) -> None:
    await MemoryStore.put(backend, "a", {"n": [1]})
    first, second = await PassthroughCacheWrapper(MemoryStore(), backend).get_many(["a", "a"])
    first["n"].append(2)
    assert second == {"n": [1]}


async def test_ttl_many_fills_the_cache_too(cache: RecordingStore, backend: RecordingStore) -> None:
    await MemoryStore.put(backend, "a", {"n": 1}, ttl=20)
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    ((value, remaining),) = await store.ttl_many(["a"])
    assert value == {"n": 1} and remaining == pytest.approx(20, abs=1)
    assert [c[0] for c in cache.calls] == ["ttl_many", "put_many"]


async def test_writes_go_to_the_store_and_drop_the_cached_copy(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    await store.put("k", {"v": 2})
    assert await store.get("k") == {"v": 2}
    await store.put_many(["k", "j"], [{"v": 3}, {"v": 4}])
    assert await store.get_many(["k", "j"]) == [{"v": 3}, {"v": 4}]
    assert await store.delete("k") is True
    assert await store.get("k") is None
    assert await store.delete_many(["j"]) == 1
    assert await store.get("j") is None
    invalidations = [c for c in cache.calls if c[0].startswith("delete")]
    assert [c[0] for c in invalidations] == [
        "delete",
        "delete",
        "delete_many",
        "delete",
        "delete_many",
    ]
    assert await MemoryStore.get_many(cache, ["k", "j"]) == [None, None]


async def test_the_proxy_wraps_the_store_and_accepts_py_key_value_names() -> None:
    backend = RecordingStore()
    store = PassthroughCacheWrapper(primary_key_value=backend, cache_key_value=MemoryStore())
    assert isinstance(store, RecordingStore)
    assert store.__wrapped__ is backend


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"maximum_ttl": 0}, ValueError),
        ({"maximum_ttl": -5}, ValueError),
        ({"maximum_ttl": math.nan}, ValueError),
        ({"maximum_ttl": math.inf}, ValueError),
        ({"maximum_ttl": None}, TypeError),
        ({"missing_ttl": 0}, ValueError),
        ({"missing_ttl": True}, TypeError),
        ({"cache_key_value": MemoryStore()}, TypeError),  # as well as cache=
        ({"cache": None}, TypeError),
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    options = {"cache": MemoryStore(), "store": MemoryStore(), **options}
    with pytest.raises(error):
        PassthroughCacheWrapper(**options)


def test_missing_ttl_none_keeps_copies_until_invalidated() -> None:
    aspect = PassthroughCache(MemoryStore(), maximum_ttl=10, missing_ttl=None)
    assert aspect.cache_ttl(None) is None
    assert aspect.cache_ttl(50) == 10


def test_the_aspect_pickles() -> None:
    aspect = PassthroughCache(MemoryStore(), maximum_ttl=10)
    assert pickle.loads(pickle.dumps(aspect)).maximum_ttl == 10


@settings(max_examples=40, deadline=None)
@given(
    remaining=st.one_of(st.none(), st.floats(0.001, 1e6)),
    maximum=st.floats(0.001, 1e6),
    missing=st.floats(0.001, 1e6),
)
def test_a_copy_never_outlives_the_entry_nor_maximum_ttl(
    remaining: float | None, maximum: float, missing: float
) -> None:
    ttl = PassthroughCache(MemoryStore(), maximum, missing).cache_ttl(remaining)
    assert ttl is not None and ttl <= maximum if remaining is not None else ttl == missing
    if remaining is not None:
        assert ttl is not None and ttl <= remaining


async def test_destroying_a_collection_also_empties_its_cached_copies() -> None:
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore())
    await store.put("a", {"n": 1}, collection="doomed")
    assert await store.get("a", collection="doomed") == {"n": 1}  # now cached
    assert await store.destroy_collection("doomed") is True
    assert await store.get("a", collection="doomed") is None
