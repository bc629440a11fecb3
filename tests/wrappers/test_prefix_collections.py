"""PrefixCollectionsWrapper keeps the store contract and keeps each prefix's collections apart."""

from __future__ import annotations

from typing import Any

import pytest
from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
from key_value.aio.wrappers.prefix_collections import (
    PrefixCollectionsWrapper as PkvPrefixCollectionsWrapper,
)

from kvdeco import MemoryStore, layers
from kvdeco.testing import StoreContract, decorated_both_ways, laws
from kvdeco.wrappers.prefix_collections import PrefixCollectionsWrapper, prefix_collections
from tests.wrappers import isolation


class TestPrefixCollectionsContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(prefix_collections("prod"), MemoryStore)[request.param]


async def test_collections_are_stored_with_the_prefix() -> None:
    inner = MemoryStore()
    store = PrefixCollectionsWrapper(key_value=inner, prefix="prod")
    await store.put("alice", {"name": "Alice"}, collection="users")
    assert await inner.collections() == ["prod:users"]
    assert await inner.get("alice", collection="prod:users") == {"name": "Alice"}


@pytest.mark.parametrize("collection", [None, ""])
async def test_the_default_collection_is_prefixed_too(collection: str | None) -> None:
    inner = MemoryStore()
    store = PrefixCollectionsWrapper(inner, "prod")
    await store.put("k", {"v": 1}, collection=collection)
    assert await inner.collections() == ["prod:default_collection"]
    assert await inner.get("k") is None


async def test_a_chosen_default_collection_is_used_for_none() -> None:
    inner = MemoryStore()
    store = PrefixCollectionsWrapper(inner, "prod", default_collection="main")
    await store.put("k", {"v": 1})
    assert await inner.collections() == ["prod:main"]
    assert await store.get("k", collection="main") == {"v": 1}


async def test_listing_shows_only_the_views_collections_unprefixed() -> None:
    inner = MemoryStore()
    prod, test = PrefixCollectionsWrapper(inner, "prod"), PrefixCollectionsWrapper(inner, "test")
    await prod.put("a", {"v": 1}, collection="users")
    await prod.put("b", {"v": 1}, collection="orders")
    await test.put("a", {"v": 2}, collection="users")
    await inner.put("raw", {"v": 3}, collection="users")
    assert sorted(await prod.collections()) == ["orders", "users"]
    assert await prod.collections(limit=1) in (["orders"], ["users"])
    assert await test.collections() == ["users"]
    assert await prod.keys("users") == ["a"]


async def test_destroy_collection_destroys_the_inner_prefixed_collection() -> None:
    inner = MemoryStore()
    prod, test = PrefixCollectionsWrapper(inner, "prod"), PrefixCollectionsWrapper(inner, "test")
    await prod.put("a", {"v": 1}, collection="users")
    await test.put("a", {"v": 2}, collection="users")
    assert await prod.destroy_collection("users") is True
    assert await prod.destroy_collection("users") is False
    assert sorted(await inner.collections()) == ["test:users"]


async def test_destroy_destroys_only_the_views_collections() -> None:
    inner = MemoryStore()
    prod, test = PrefixCollectionsWrapper(inner, "prod"), PrefixCollectionsWrapper(inner, "test")
    await prod.put_many(["a", "b"], [{"v": 1}, {"v": 2}], collection="users")
    await prod.put("a", {"v": 1})
    await test.put("a", {"v": 2}, collection="users")
    await inner.put("raw", {"v": 3})
    assert await prod.destroy() is True
    assert await prod.destroy() is False
    assert sorted(await inner.collections()) == ["default_collection", "test:users"]


@pytest.mark.parametrize(
    ("prefix", "separator"), [("", ":"), ("a:b", ":"), ("a_", "__"), ("a__b", "__")]
)
def test_a_prefix_that_could_collide_is_refused(prefix: str, separator: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        prefix_collections(prefix, separator=separator)


@pytest.mark.parametrize("options", [{"separator": ""}, {"default_collection": 5}])
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PrefixCollectionsWrapper(MemoryStore(), "prod", **options)


def test_the_aspect_reads_like_its_call() -> None:
    store = prefix_collections("prod")(MemoryStore())
    assert [repr(a) for a in layers(store)] == [
        "prefix_collections(prefix='prod', separator=':', default_collection='default_collection')"
    ]


async def test_double_underscore_shares_data_with_py_key_value() -> None:
    inner = PkvMemoryStore()
    ours = PrefixCollectionsWrapper(inner, "prod", separator="__")
    theirs = PkvPrefixCollectionsWrapper(key_value=inner, prefix="prod")
    await ours.put("alice", {"name": "Alice"}, collection="users")
    await theirs.put("bob", {"name": "Bob"})
    assert await theirs.get("alice", collection="users") == {"name": "Alice"}
    assert await ours.get("bob") == {"name": "Bob"}
    assert await inner.get("alice", collection="prod__users") == {"name": "Alice"}


test_views_with_different_prefixes_never_meet = isolation.views_never_meet(
    lambda inner, prefix, separator: PrefixCollectionsWrapper(inner, prefix, separator=separator)
)

TestPrefixCollectionsViewsBehaveLikeDicts = laws.isolation_machine(
    PrefixCollectionsWrapper, names=("a", "ab")
).TestCase
