"""PassthroughCacheWrapper: read-through copies with clamped TTLs, bulk fills, invalidation."""

from __future__ import annotations

import asyncio
import math
import pickle
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import InvalidTTLError, MemoryStore
from kvdeco.testing import (
    FlakyStore,
    RecordedCall,
    RecordingStore,
    StoreContract,
    decorated_both_ways,
)
from kvdeco.wrappers.passthrough_cache import (
    PassthroughCache,
    PassthroughCacheWrapper,
    passthrough_cache,
)
from tests.wrappers.gated import GatedStore, interleave, settle


class TestPassthroughCacheKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(passthrough_cache(MemoryStore()), MemoryStore)[request.param]


@pytest.fixture
def cache() -> RecordingStore:
    return RecordingStore(MemoryStore())


@pytest.fixture
def backend() -> RecordingStore:
    return RecordingStore(MemoryStore())


def cache_ttls(cache: RecordingStore) -> list[Any]:
    """The TTL of every single ``put`` that reached the cache."""
    return [c.ttl for c in cache.log if c.operation == "put"]


async def test_a_miss_is_read_from_the_store_and_copied_with_its_remaining_ttl(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await backend.put("k", {"v": 1}, ttl=100)
    backend.reset()
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("k") == {"v": 1}
    assert backend.operations == ["ttl"]
    assert cache_ttls(cache) == [pytest.approx(100, abs=1)]
    assert await store.get("k") == {"v": 1}
    assert backend.operations == ["ttl"]  # the second read was a cache hit


@pytest.mark.parametrize(
    ("store_ttl", "cache_ttl"),
    [(None, 30.0), (10, 10.0), (59, 59.0), (3600, 60.0)],
)
async def test_copies_are_clamped_to_maximum_ttl_and_missing_ttl(
    cache: RecordingStore, backend: RecordingStore, store_ttl: float | None, cache_ttl: float
) -> None:
    await backend.put("k", {"v": 1}, ttl=store_ttl)
    store = PassthroughCacheWrapper(cache=cache, store=backend, maximum_ttl=60, missing_ttl=30)
    await store.get("k")
    assert cache_ttls(cache) == [pytest.approx(cache_ttl, abs=1)]


async def test_an_empty_mapping_is_cached_and_hit(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await backend.put("empty", {})
    backend.reset()
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("empty") == {}
    assert await store.get("empty") == {}
    assert backend.operations == ["ttl"]


async def test_misses_are_not_cached(cache: RecordingStore, backend: RecordingStore) -> None:
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    assert await store.get("absent") is None
    assert cache.operations == ["get"]


async def test_bulk_misses_fill_the_cache_with_one_put_many_per_ttl(
    cache: RecordingStore, backend: RecordingStore
) -> None:
    await backend.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
    await backend.put_many(["c", "d"], [{"n": 3}, {"n": 4}], ttl=7200)
    await cache.put("a", {"n": 1})
    backend.reset()
    cache.reset()
    store = PassthroughCacheWrapper(cache=cache, store=backend, maximum_ttl=60, missing_ttl=30)
    keys = ["a", "b", "c", "missing", "d", "b"]
    expected = [{"n": 1}, {"n": 2}, {"n": 3}, None, {"n": 4}, {"n": 2}]
    assert await store.get_many(keys) == expected
    assert backend.log == [RecordedCall("ttl_many", None, ("b", "c", "missing", "d"))]
    fills = sorted((c for c in cache.log if c.operation.startswith("put")), key=lambda c: c.ttl)
    assert fills == [
        RecordedCall("put_many", None, ("b",), 30.0),
        RecordedCall("put_many", None, ("c", "d"), 60.0),
    ]
    cache.reset()
    assert await store.get_many(keys) == expected
    assert cache.operations == ["get_many"]
    # Absences are not cached:
    assert backend.log[1:] == [RecordedCall("ttl_many", None, ("missing",))]


async def test_repeated_keys_get_separate_dicts(backend: RecordingStore) -> None:
    await backend.put("a", {"n": [1]})
    first, second = await PassthroughCacheWrapper(MemoryStore(), backend).get_many(["a", "a"])
    first["n"].append(2)
    assert second == {"n": [1]}


async def test_ttl_many_fills_the_cache_too(cache: RecordingStore, backend: RecordingStore) -> None:
    await backend.put("a", {"n": 1}, ttl=20)
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    ((value, remaining),) = await store.ttl_many(["a"])
    assert value == {"n": 1} and remaining == pytest.approx(20, abs=1)
    assert cache.operations == ["ttl_many", "put_many"]


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
    invalidations = [name for name in cache.operations if name.startswith("delete")]
    assert invalidations == ["delete", "delete", "delete_many", "delete", "delete_many"]
    assert await cache.get_many(["k", "j"]) == [None, None]


async def test_the_proxy_wraps_the_store_and_accepts_py_key_value_names() -> None:
    backend = MemoryStore()
    store = PassthroughCacheWrapper(primary_key_value=backend, cache_key_value=MemoryStore())
    assert isinstance(store, MemoryStore)
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
    aspect = PassthroughCache(MemoryStore(), maximum_ttl=maximum, missing_ttl=missing)
    ttl = aspect.cache_ttl(remaining)
    assert ttl is not None and ttl <= maximum if remaining is not None else ttl == missing
    if remaining is not None:
        assert ttl is not None and ttl <= remaining


async def test_destroying_a_collection_also_empties_its_cached_copies() -> None:
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore())
    await store.put("a", {"n": 1}, collection="doomed")
    assert await store.get("a", collection="doomed") == {"n": 1}  # now cached
    assert await store.destroy_collection("doomed") is True
    assert await store.get("a", collection="doomed") is None


# -- under load: single-flight, writes racing with fills ------------------------------------


async def test_a_thousand_concurrent_gets_of_a_cold_key_reach_the_store_once() -> None:
    backend = GatedStore(hold=False, delay=0.05)
    await backend.direct_put("k", {"v": 1})
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend)
    results = await asyncio.gather(*(store.get("k") for _ in range(1000)))
    assert backend.reads == 1
    assert all(result == {"v": 1} for result in results)
    assert len({id(result) for result in results}) == 1000


async def test_without_single_flight_every_miss_reads_the_store() -> None:
    backend = GatedStore(hold=False, delay=0.01)
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, single_flight=False)
    await asyncio.gather(*(store.get("k") for _ in range(20)))
    assert backend.reads == 20


@pytest.mark.parametrize("single_flight", [True, False])
@pytest.mark.parametrize("write", ["put", "delete", "put_many", "delete_many"])
async def test_a_read_that_saw_the_old_value_does_not_put_it_back_after_a_write(
    write: str, single_flight: bool
) -> None:
    backend = GatedStore()
    await backend.direct_put("k", {"v": "old"})
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, single_flight=single_flight)
    slow_read = asyncio.ensure_future(store.get("k"))
    await settle()  # it has read "old" from the store and waits
    written = {
        "put": lambda: store.put("k", {"v": "new"}),
        "delete": lambda: store.delete("k"),
        "put_many": lambda: store.put_many(["k"], [{"v": "new"}]),
        "delete_many": lambda: store.delete_many(["k"]),
    }[write]
    await written()
    backend.release_all()
    assert await slow_read == {"v": "old"}  # it began before the write
    expected = {"v": "new"} if write.startswith("put") else None
    for _ in range(3):
        assert await store.get("k") == expected


async def test_a_fill_overtaken_by_a_write_is_dropped_again() -> None:
    backend = MemoryStore()
    await backend.put("k", {"v": "old"})

    class SlowFillCache(MemoryStore):
        async def put(self, key: str, value: Any, **options: Any) -> None:
            await settle()  # the write through the wrapper runs meanwhile
            await super().put(key, value, **options)

    store = PassthroughCacheWrapper(cache=SlowFillCache(), store=backend)
    read = asyncio.ensure_future(store.get("k"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await store.delete("k")
    await read
    assert await store.get("k") is None


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.sampled_from(["read", "read_many", "release", "put", "delete"]), min_size=1, max_size=14
    ),
    single_flight=st.booleans(),
)
def test_no_interleaving_of_reads_and_writes_undoes_a_write(
    steps: list[str], single_flight: bool
) -> None:
    backend = GatedStore()
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, single_flight=single_flight)
    asyncio.run(interleave(store, backend, steps))


# -- an entry about to expire ---------------------------------------------------------------


class _ExpiringNow(MemoryStore):
    """Reports every entry with 0 s left, as Redis does in its last millisecond."""

    async def ttl(self, key: str, *, collection: str | None = None) -> Any:
        value, _ = await super().ttl(key, collection=collection)
        return value, (0.0 if value is not None else None)

    async def ttl_many(self, keys: Any, *, collection: str | None = None) -> Any:
        return [await self.ttl(key, collection=collection) for key in keys]


@pytest.mark.parametrize("operation", ["get", "ttl", "get_many", "ttl_many"])
async def test_a_read_of_an_entry_about_to_expire_is_a_hit_not_a_ttl_error(operation: str) -> None:
    backend = _ExpiringNow()
    await backend.put("k", {"v": 1}, ttl=60)
    cache = MemoryStore()
    store = PassthroughCacheWrapper(cache=cache, store=backend)
    if operation.endswith("_many"):
        result = (await getattr(store, operation)(["k"]))[0]
    else:
        result = await getattr(store, operation)("k")
    assert (result[0] if operation.startswith("ttl") else result) == {"v": 1}
    assert await cache.get("k") is None  # nothing left to copy


async def test_a_cache_that_refuses_a_tiny_ttl_does_not_fail_the_read() -> None:
    strict = FlakyStore(
        MemoryStore(), lambda _op, _n: InvalidTTLError(0.001, operation="put"), operations={"put"}
    )
    backend = MemoryStore()
    await backend.put("k", {"v": 1}, ttl=60)
    assert await PassthroughCacheWrapper(cache=strict, store=backend).get("k") == {"v": 1}
    assert strict.calls["put"] == 1 and len(strict.raised) == 1  # the fill was refused


# -- negative caching -----------------------------------------------------------------------


async def test_negative_ttl_reads_a_missing_key_from_the_store_once() -> None:
    backend = GatedStore(hold=False)
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, negative_ttl=60)
    for _ in range(100):
        assert await store.get("absent") is None
    assert await store.ttl("absent") == (None, None)
    assert await store.get_many(["absent"]) == [None]
    assert backend.reads == 1
    await store.put("absent", {"now": "here"})
    assert await store.get("absent") == {"now": "here"}


async def test_a_remembered_miss_is_never_returned_as_a_value() -> None:
    cache = MemoryStore()
    store = PassthroughCacheWrapper(cache=cache, store=MemoryStore(), negative_ttl=60)
    assert await store.get("absent") is None
    assert await cache.get("absent") is not None  # the mark is held by the cache
    assert await store.get_many(["absent", "absent"]) == [None, None]
    assert await store.ttl_many(["absent"]) == [(None, None)]


async def test_a_value_shaped_like_the_envelope_round_trips() -> None:
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore(), negative_ttl=60)
    tricky = {"kvdeco_cache": 1, "value": None, "fresh_until": 0}
    await store.put("k", tricky)
    assert await store.get("k") == tricky
    assert await store.get("k") == tricky  # from the cache


async def test_remembered_misses_expire() -> None:
    backend = GatedStore(hold=False)
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, negative_ttl=0.05)
    await store.get("absent")
    await asyncio.sleep(0.1)
    await backend.direct_put("absent", {"v": 1})  # behind the wrapper's back
    assert await store.get("absent") == {"v": 1}


# -- stale while revalidate, stale if error, early refresh ----------------------------------


async def test_stale_copies_are_served_at_cache_speed_while_one_refresh_runs() -> None:
    backend = GatedStore(hold=False)
    await backend.direct_put("k", {"v": "old"}, ttl=3600)
    store = PassthroughCacheWrapper(
        cache=MemoryStore(), store=backend, maximum_ttl=0.05, stale_ttl=60
    )
    assert await store.get("k") == {"v": "old"}
    await asyncio.sleep(0.1)  # the copy is no longer fresh
    await backend.direct_put("k", {"v": "new"}, ttl=3600)
    backend.hold = True  # the refresh waits until we release it
    started = time.perf_counter()
    answers = [await store.get("k") for _ in range(50)]
    elapsed = time.perf_counter() - started
    assert answers == [{"v": "old"}] * 50
    assert await store.ttl("k") == ({"v": "old"}, 0.0)
    await settle()
    assert backend.reads == 2  # the first fill, and one refresh for all fifty reads
    print(f"50 stale reads while the store was held: {elapsed * 1000:.2f} ms")
    backend.release_all()
    await store.wait_for_refreshes()
    assert await store.get("k") == {"v": "new"}


async def test_stale_if_error_keeps_serving_the_stale_copy_while_the_store_is_down() -> None:
    backend = GatedStore(hold=False)
    await backend.direct_put("k", {"v": 1})
    store = PassthroughCacheWrapper(
        cache=MemoryStore(), store=backend, maximum_ttl=0.05, missing_ttl=0.05,
        stale_ttl=60, stale_if_error=True,
    )  # fmt: skip
    await store.get("k")
    await asyncio.sleep(0.1)
    backend.failure = ConnectionError("primary down")
    for _ in range(5):
        assert await store.get("k") == {"v": 1}
        await store.wait_for_refreshes()
    assert store.refresh_failures == 5


async def test_without_stale_if_error_a_failed_refresh_drops_the_stale_copy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = GatedStore(hold=False)
    await backend.direct_put("k", {"secret": "hunter2"})
    store = PassthroughCacheWrapper(
        cache=MemoryStore(), store=backend, maximum_ttl=0.05, missing_ttl=0.05, stale_ttl=60
    )
    await store.get("k")
    await asyncio.sleep(0.1)
    backend.failure = ConnectionError("primary down")
    assert await store.get("k") == {"secret": "hunter2"}  # stale, while the refresh runs
    await store.wait_for_refreshes()
    assert store.refresh_failures == 1
    assert "hunter2" not in caplog.text
    assert any("refreshing" in record.getMessage() for record in caplog.records)
    with pytest.raises(ConnectionError):
        await store.get("k")


async def test_early_refresh_renews_a_fresh_copy_before_it_expires() -> None:
    backend = GatedStore(hold=False, delay=0.01)
    await backend.direct_put("k", {"v": "old"})
    store = PassthroughCacheWrapper(
        cache=MemoryStore(), store=backend, maximum_ttl=3600, missing_ttl=3600,
        early_refresh=1e12,  # so large that every read refreshes
    )  # fmt: skip
    assert await store.get("k") == {"v": "old"}
    await backend.direct_put("k", {"v": "new"})
    assert await store.get("k") == {"v": "old"}  # still fresh, served from the cache
    await store.wait_for_refreshes()
    assert backend.reads == 2
    assert await store.get("k") == {"v": "new"}


async def test_without_early_refresh_a_fresh_copy_is_not_renewed() -> None:
    backend = GatedStore(hold=False)
    await backend.direct_put("k", {"v": 1})
    store = PassthroughCacheWrapper(cache=MemoryStore(), store=backend, stale_ttl=60)
    for _ in range(10):
        await store.get("k")
    await store.wait_for_refreshes()
    assert backend.reads == 1


async def test_closing_waits_for_refreshes_and_closes_both_stores() -> None:
    closed: list[str] = []

    class Closing(MemoryStore):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        async def close(self) -> None:
            closed.append(self.name)
            await super().close()

    store = PassthroughCacheWrapper(cache=Closing("cache"), store=Closing("store"))
    await store.close()
    assert sorted(closed) == ["cache", "store"]
    closed.clear()
    async with PassthroughCacheWrapper(cache=Closing("cache"), store=Closing("store")) as s:
        await s.put("k", {"v": 1})
    assert sorted(closed) == ["cache", "store"]


@pytest.mark.parametrize(
    "options",
    [
        {"negative_ttl": 30},
        {"stale_ttl": 30},
        {"stale_ttl": 30, "stale_if_error": True},
        {"early_refresh": 1.0},
    ],
)
class TestOptionsKeepTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest, options: dict[str, Any]) -> Any:
        decorator = passthrough_cache(MemoryStore(), **options)
        return decorated_both_ways(decorator, MemoryStore)[request.param]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"negative_ttl": 0}, ValueError),
        ({"stale_ttl": -1}, ValueError),
        ({"stale_if_error": True}, ValueError),  # nothing stale to serve
        ({"single_flight": "yes"}, TypeError),
        ({"early_refresh": -1}, ValueError),
    ],
)
def test_invalid_new_options_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore(), **options)


# -- on the real Redis ----------------------------------------------------------------------


async def test_on_redis_a_revoked_key_is_never_served_again(
    redis_url: str, redis_namespace: str
) -> None:
    from kvdeco.stores.redis import RedisStore

    class SlowNetworkRedis(RedisStore):
        """Answers reads a few milliseconds late, as over a slow network."""

        read: asyncio.Event

        async def ttl(self, key: str, *, collection: str | None = None) -> Any:
            entry = await super().ttl(key, collection=collection)
            self.read.set()
            await asyncio.sleep(0.005)
            return entry

    primary = SlowNetworkRedis(redis_url, namespace=redis_namespace + "-primary")
    cache = RedisStore(redis_url, namespace=redis_namespace + "-cache")
    store = PassthroughCacheWrapper(cache=cache, store=primary)
    served_after_delete = 0
    try:
        for i in range(100):
            key = f"session:{i}"
            await store.put(key, {"user": i})
            primary.read = asyncio.Event()
            read = asyncio.ensure_future(store.get(key))
            await primary.read.wait()  # the read has seen the session in the primary
            await store.delete(key)  # revoked before the read fills the cache
            await read
            served_after_delete += await store.get(key) is not None
    finally:
        await primary.destroy()
        await cache.destroy()
        await store.close()
    assert served_after_delete == 0


async def test_on_redis_reads_of_entries_about_to_expire_never_fail(
    redis_url: str, redis_namespace: str
) -> None:
    from kvdeco.stores.redis import RedisStore

    primary = RedisStore(redis_url, namespace=redis_namespace + "-primary")
    cache = RedisStore(redis_url, namespace=redis_namespace + "-cache")
    store = PassthroughCacheWrapper(cache=cache, store=primary)
    outcomes = {"hit": 0, "miss": 0}
    try:
        for i in range(150):
            key = f"k{i}"
            await primary.put(key, {"n": i}, ttl=0.002 + (i % 4) * 0.001)
            while True:
                await cache.delete(key)  # so that each read asks the primary
                if await store.get(key) is None:
                    outcomes["miss"] += 1
                    break
                outcomes["hit"] += 1
    finally:
        await primary.destroy()
        await cache.destroy()
        await store.close()
    assert outcomes["miss"] == 150  # every key was read until it had expired, none raised
    print(f"reads of entries in their last milliseconds: {outcomes}")


async def test_on_disk_a_clock_that_moves_during_a_read_gives_a_hit_not_a_ttl_error(
    tmp_path: Any,
) -> None:
    from kvdeco import DiskStore

    now = [1000.0]
    primary = DiskStore(tmp_path / "primary.db", clock=lambda: now[0])
    cache = DiskStore(tmp_path / "cache.db", clock=lambda: now[0])
    store = PassthroughCacheWrapper(cache=cache, store=primary)
    try:
        await primary.put("k", {"v": 1}, ttl=1)
        original = primary.clock

        ticks = iter([1000.5, 1002.0])  # alive when selected, expired when measured

        def moving() -> float:
            now[0] = next(ticks, now[0])
            return now[0]

        primary.clock = moving  # type: ignore[method-assign]
        assert await store.get("k") == {"v": 1}
        primary.clock = original  # type: ignore[method-assign]
        assert await cache.get("k") is None
    finally:
        await store.close()
