"""RoutingWrapper and CollectionRoutingWrapper: each collection's operations go to its store.

The scenarios of py-key-value's own routing tests run against both libraries; the optional
operations (keys, collections, destroy) route as well.
"""

from __future__ import annotations

from typing import Any

import pytest
from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
from key_value.aio.wrappers.routing import CollectionRoutingWrapper as PkvCollectionRouting
from key_value.aio.wrappers.routing import RoutingWrapper as PkvRoutingWrapper

from kvdeco import MemoryStore, layers
from kvdeco.testing import StoreContract, decorated_both_ways
from kvdeco.wrappers.routing import (
    CollectionRoutingWrapper,
    RoutingWrapper,
    route_collections,
    routed,
)

LIBRARIES = {
    "kvdeco": (MemoryStore, RoutingWrapper, CollectionRoutingWrapper),
    "py-key-value": (PkvMemoryStore, PkvRoutingWrapper, PkvCollectionRouting),
}


class TestRoutedStoreKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        other = MemoryStore()
        decorator = route_collections({"routed-away": other})
        return decorated_both_ways(decorator, MemoryStore)[request.param]


@pytest.mark.parametrize("library", sorted(LIBRARIES))
async def test_a_routing_function_picks_the_store_and_none_means_the_default(
    library: str,
) -> None:
    store_class, routing, _ = LIBRARIES[library]
    one, two, default = store_class(), store_class(), store_class()

    def route(collection: str | None) -> Any:
        return {"collection1": one, "collection2": two}.get(collection or "")

    wrapper = routing(routing_function=route, default_store=default)
    await wrapper.put(key="key1", value={"data": "value1"}, collection="collection1")
    await wrapper.put(key="key2", value={"data": "value2"}, collection="collection2")
    await wrapper.put(key="key3", value={"data": "value3"}, collection="unmapped")
    assert await one.get(key="key1", collection="collection1") == {"data": "value1"}
    assert await two.get(key="key2", collection="collection2") == {"data": "value2"}
    assert await default.get(key="key3", collection="unmapped") == {"data": "value3"}
    assert await one.get(key="key2", collection="collection2") is None


@pytest.mark.parametrize("library", sorted(LIBRARIES))
async def test_every_operation_routes(library: str) -> None:
    store_class, routing, _ = LIBRARIES[library]
    target, default = store_class(), store_class()
    wrapper = routing(routing_function=lambda c: target, default_store=default)
    keys = ["key1", "key2", "key3"]
    values = [{"data": "v1"}, {"data": "v2"}, {"data": "v3"}]
    await wrapper.put_many(keys=keys, values=values, collection="test", ttl=3600)
    assert await wrapper.get_many(keys=keys, collection="test") == values
    value, ttl = await wrapper.ttl(key="key1", collection="test")
    assert value == {"data": "v1"} and ttl is not None and 3500 < ttl <= 3600
    assert [v for v, _ in await wrapper.ttl_many(keys=keys, collection="test")] == values
    assert await wrapper.delete(key="key1", collection="test") is True
    assert await wrapper.get(key="key1", collection="test") is None
    assert await wrapper.delete_many(keys=["key2", "key3"], collection="test") == 2
    assert await default.get_many(keys=keys, collection="test") == [None, None, None]


@pytest.mark.parametrize("library", sorted(LIBRARIES))
async def test_a_collection_map_keeps_collections_apart(library: str) -> None:
    store_class, _, collection_routing = LIBRARIES[library]
    sessions, users, disk = store_class(), store_class(), store_class()
    wrapper = collection_routing(
        collection_map={"sessions": sessions, "users": users}, default_store=disk
    )
    await wrapper.put(key="id123", value={"type": "session"}, collection="sessions")
    await wrapper.put(key="id123", value={"type": "user"}, collection="users")
    await wrapper.put(key="id123", value={"type": "other"}, collection="logs")
    await wrapper.put(key="id0", value={"type": "none"}, collection=None)
    assert await sessions.get(key="id123", collection="sessions") == {"type": "session"}
    assert await users.get(key="id123", collection="users") == {"type": "user"}
    assert await disk.get(key="id123", collection="logs") == {"type": "other"}
    assert await disk.get(key="id0", collection=None) == {"type": "none"}
    assert await sessions.get(key="id123", collection="users") is None
    assert await users.get(key="id123", collection="sessions") is None


async def test_keys_collections_and_destroy_route_too() -> None:
    sessions, default = MemoryStore(), MemoryStore()
    router = CollectionRoutingWrapper({"sessions": sessions}, default_store=default)
    await router.put("s1", {}, collection="sessions")
    await router.put("d1", {}, collection="docs")
    # A collection of that name in the wrong store is not listed: it is not reachable.
    await MemoryStore.put(default, "stray", {}, collection="sessions")
    assert await router.keys("sessions") == ["s1"]
    assert await router.keys("docs") == ["d1"]
    assert sorted(await router.collections()) == ["docs", "sessions"]
    assert len(await router.collections(limit=1)) == 1
    assert await router.destroy_collection("sessions") is True
    assert await sessions.get("s1", collection="sessions") is None
    assert await router.destroy() is True
    assert await default.get("d1", collection="docs") is None


async def test_a_routing_function_can_name_its_stores_for_the_optional_operations() -> None:
    archive, default = MemoryStore(), MemoryStore()
    store = routed(lambda c: archive if c == "archive" else None, stores=[archive])(default)
    await store.put("old", {"v": 1}, collection="archive")
    assert await store.collections() == ["archive"]
    await store.destroy()
    assert await archive.get("old", collection="archive") is None


def test_routing_needs_a_function() -> None:
    with pytest.raises(TypeError):
        RoutingWrapper(routing_function="sessions", default_store=MemoryStore())  # type: ignore[arg-type]


def test_a_collection_map_must_map_names_to_store_instances() -> None:
    with pytest.raises(TypeError, match="collection_map must be a mapping"):
        route_collections([("sessions", MemoryStore())])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a routed store wraps a store instance"):
        CollectionRoutingWrapper({"sessions": MemoryStore}, default_store=MemoryStore())


async def test_the_router_keeps_its_own_copy_of_the_map() -> None:
    sessions, default = MemoryStore(), MemoryStore()
    routes: dict[str, Any] = {"sessions": sessions}
    store = route_collections(routes)(default)
    routes["sessions"] = MemoryStore()  # too late: the router copied the map
    await store.put("s1", {}, collection="sessions")
    assert await sessions.get("s1", collection="sessions") == {}


def test_the_map_decorator_and_its_wrapper_class_build_the_same_layer() -> None:
    sessions, default = MemoryStore(), MemoryStore()
    decorated = route_collections({"sessions": sessions})(default)
    assert isinstance(decorated, CollectionRoutingWrapper)
    assert isinstance(decorated, RoutingWrapper)  # as py-key-value's class is
    assert layers(decorated) == layers(CollectionRoutingWrapper({"sessions": sessions}, default))
    assert layers(decorated) != layers(route_collections({"sessions": MemoryStore()})(default))
