"""Typed access to a layer: found through any stack, on both paths, or a clear LookupError."""

from __future__ import annotations

import pytest

from kvdeco import (
    MemoryStore,
    RetryWrapper,
    StatisticsWrapper,
    layer,
    prefix_keys,
    statistics_of,
    with_retry,
    with_statistics,
)


async def test_layer_finds_the_wrapper_under_other_proxies() -> None:
    counted = StatisticsWrapper(prefix_keys("p")(MemoryStore()))
    store = with_retry(prefix_keys("q")(counted))
    assert layer(store, StatisticsWrapper) is counted
    outermost: object = layer(store, RetryWrapper)
    assert outermost is store
    await store.get("k")
    assert layer(store, StatisticsWrapper).get_statistics().get.misses == 1


def test_layer_says_what_the_stack_holds_when_the_wrapper_is_absent() -> None:
    with pytest.raises(LookupError, match=r"no StatisticsWrapper .*prefix_keys"):
        layer(prefix_keys("p")(MemoryStore()), StatisticsWrapper)


async def test_statistics_of_reads_the_instance_path_through_a_stack() -> None:
    store = with_retry(with_statistics(prefix_keys("p")(MemoryStore())))
    await store.put("k", {"v": 1})
    await store.get("k")
    counts = statistics_of(store).get_statistics()
    assert (counts.put.count, counts.get.hits) == (1, 1)


async def test_statistics_of_reads_the_class_path_per_instance() -> None:
    @with_retry
    @with_statistics
    @prefix_keys("app")
    class AppStore(MemoryStore):
        pass

    first, second = AppStore(), AppStore()
    await prefix_keys("outer")(first).get("k")
    assert statistics_of(first).get_statistics().get.misses == 1
    assert statistics_of(second).get_statistics().get.count == 0
    statistics_of(first).reset_statistics()
    assert first.get_statistics().get.count == 0  # type: ignore[attr-defined]


def test_statistics_of_a_store_without_statistics_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="no statistics layer"):
        statistics_of(with_retry(MemoryStore()))
