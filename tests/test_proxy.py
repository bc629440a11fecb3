"""The proxy core: how a wrapper's operations are found, replaced and shown."""

from __future__ import annotations

import inspect
from typing import Any
from unittest import mock

import pytest

from kvdeco import BaseWrapper, MemoryStore, prefix_keys, read_only, ttl_clamp, with_statistics
from kvdeco.protocols import AsyncKeyValue
from kvdeco.stores.adapter import adapt


class _KeysOnly:
    """A store without the optional operations (no keys(), no collections())."""

    def __init__(self) -> None:
        self.inner = MemoryStore()

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return await self.inner.get(key, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        await self.inner.put(key, value, collection=collection, ttl=ttl)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        return await self.inner.delete(key, collection=collection)


@pytest.mark.asyncio
async def test_an_operation_a_layer_leaves_alone_is_the_stores_own_method_at_each_call() -> None:
    store = MemoryStore()
    proxy = ttl_clamp(1, 60)(store)  # handles writes only
    assert proxy.get == store.get
    with mock.patch.object(store, "get", mock.AsyncMock(return_value={"patched": True})):
        assert await proxy.get("k") == {"patched": True}
    assert await proxy.get("k") is None


@pytest.mark.asyncio
async def test_a_patched_proxy_operation_is_used_until_the_patch_ends() -> None:
    proxy = prefix_keys("app")(MemoryStore())
    await proxy.put("k", {"v": 1})
    with mock.patch.object(proxy, "get", mock.AsyncMock(return_value={"v": "patched"})):
        assert await proxy.get("k") == {"v": "patched"}
    assert await proxy.get("k") == {"v": 1}  # through the aspect again: the prefixed key


@pytest.mark.asyncio
async def test_a_proxy_class_operation_shows_the_protocol_and_can_be_called_unbound() -> None:
    proxy = with_statistics(MemoryStore())
    wrapper_class = type(proxy)
    assert inspect.signature(wrapper_class.put) == inspect.signature(AsyncKeyValue.put)
    assert wrapper_class.get.__doc__ == AsyncKeyValue.get.__doc__
    await wrapper_class.put(proxy, "k", {"v": 1})
    assert await wrapper_class.get(proxy, "k") == {"v": 1}
    assert proxy.get_statistics().put.count == 1


def test_an_optional_operation_the_store_lacks_is_missing_on_every_proxy() -> None:
    bare = adapt(_KeysOnly())
    for proxy in (read_only(bare), prefix_keys("p")(bare)):
        assert not hasattr(proxy, "keys") and not hasattr(proxy, "collections")
    assert hasattr(read_only(MemoryStore()), "keys")


@pytest.mark.asyncio
async def test_a_custom_wrapper_passes_what_it_does_not_override_and_can_call_super() -> None:
    class Upper(BaseWrapper):
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            value = await super().get(key, collection=collection)
            return {k: str(v).upper() for k, v in value.items()} if value else value

    store = MemoryStore()
    wrapper = Upper(store)
    await wrapper.put("k", {"v": "a"})
    assert await wrapper.get("k") == {"v": "A"}
    assert await wrapper.ttl("k") == ({"v": "a"}, None)
    with mock.patch.object(wrapper, "delete", mock.AsyncMock(return_value=False)):
        assert await wrapper.delete("k") is False
    assert await wrapper.delete("k") is True
    assert inspect.signature(BaseWrapper.put).parameters.keys() == (
        inspect.signature(AsyncKeyValue.put).parameters.keys()
    )
