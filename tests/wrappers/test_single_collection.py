"""SingleCollectionWrapper keeps the store contract in one inner collection, collision-free."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
from key_value.aio.wrappers.single_collection import (
    SingleCollectionWrapper as PkvSingleCollectionWrapper,
)

from kvdeco import MemoryStore
from kvdeco.testing import StoreContract, decorated_both_ways, laws
from kvdeco.testing import strategies as kst
from kvdeco.validation import DEFAULT_COLLECTION
from kvdeco.wrappers.single_collection import (
    SingleCollectionWrapper,
    decode_inner_key,
    encode_collection,
    single_collection,
)
from tests.wrappers import isolation


class TestSingleCollectionContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(single_collection("all"), MemoryStore)[request.param]


class TestBareSingleCollectionContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(single_collection, MemoryStore)[request.param]


async def test_the_inner_store_sees_one_collection() -> None:
    inner = MemoryStore()
    store = SingleCollectionWrapper(key_value=inner, collection="default")
    await store.put("test", {"data": "value"}, collection="ignored")
    await store.put("test", {"data": "other"}, collection="kept")
    await store.put("test", {"data": "default"})
    assert await inner.collections() == ["default"]
    assert sorted(await inner.keys("default")) == [
        "default_collection:test",
        "ignored:test",
        "kept:test",
    ]
    assert await store.get("test", collection="ignored") == {"data": "value"}


async def test_collection_and_key_that_join_alike_stay_apart() -> None:
    inner = MemoryStore()
    store = SingleCollectionWrapper(inner)
    await store.put("b:c", {"n": 1}, collection="a")
    await store.put("c", {"n": 2}, collection="a:b")
    assert await store.get("b:c", collection="a") == {"n": 1}
    assert await store.get("c", collection="a:b") == {"n": 2}
    assert sorted(await inner.keys("default")) == ["a%3Ab:c", "a:b:c"]


async def test_listing_and_destroying_answer_for_the_view() -> None:
    inner = MemoryStore()
    store = SingleCollectionWrapper(inner, "all")
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="x")
    await store.put("a", {"n": 3}, collection="y:z")
    await inner.put("foreign", {"n": 4}, collection="all")
    await inner.put("%zz:bad-escape", {"n": 5}, collection="all")
    assert sorted(await store.collections()) == ["x", "y:z"]
    assert sorted(await store.keys("x")) == ["a", "b"]
    assert await store.keys("y:z") == ["a"]
    assert await store.destroy_collection("x") is True
    assert await store.collections() == ["y:z"]
    assert await store.destroy() is True
    assert await store.destroy() is False
    assert sorted(await inner.keys("all")) == ["%zz:bad-escape", "foreign"]


async def test_py_key_value_spelling_and_layout_are_accepted() -> None:
    inner = PkvMemoryStore()
    ours = SingleCollectionWrapper(inner, single_collection="shared", separator="__")
    theirs = PkvSingleCollectionWrapper(key_value=inner, single_collection="shared")
    await ours.put("alice", {"name": "Alice"}, collection="users")
    await theirs.put("bob", {"name": "Bob"})
    assert await theirs.get("alice", collection="users") == {"name": "Alice"}
    assert await ours.get("bob") == {"name": "Bob"}
    assert await inner.get("users__alice", collection="shared") == {"name": "Alice"}


async def test_a_chosen_default_collection_is_used_for_none() -> None:
    inner = MemoryStore()
    store = SingleCollectionWrapper(inner, default_collection="main")
    await store.put("k", {"v": 1})
    assert await inner.keys("default") == ["main:k"]


@pytest.mark.parametrize(
    "options",
    [
        {"collection": ""},
        {"separator": ""},
        {"separator": "%"},
        {"separator": "A"},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SingleCollectionWrapper(MemoryStore(), **options)


@pytest.mark.parametrize(
    "options",
    [{"single_collection": 5}, {"separator": 3}, {"default_collection": 5}],
)
def test_options_of_the_wrong_type_are_a_type_error(options: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        SingleCollectionWrapper(MemoryStore(), **options)


def test_naming_the_collection_twice_differently_is_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        SingleCollectionWrapper(MemoryStore(), "one", single_collection="two")


@given(name=kst.colliding_names(), key=kst.colliding_names(), separator=kst.separators())
def test_the_inner_key_splits_back_into_collection_and_key(
    name: str, key: str, separator: str
) -> None:
    if name:
        encoded = encode_collection(name, separator)
        assert decode_inner_key(encoded + separator + key, separator) == (name, key)


@given(first=kst.colliding_names(), second=kst.colliding_names(), separator=kst.separators())
def test_different_collections_encode_differently(first: str, second: str, separator: str) -> None:
    if first != second:
        assert encode_collection(first, separator) != encode_collection(second, separator)


test_collections_of_one_view_never_meet = isolation.views_never_meet(
    lambda inner, name, separator: SingleCollectionWrapper(inner, name, separator=separator)
)

TestSingleCollectionViewsBehaveLikeDicts = laws.isolation_machine(
    SingleCollectionWrapper, names=("a", "ab")
).TestCase


def test_no_default_collection_means_kvdecos_and_the_layer_says_so() -> None:
    aspect = single_collection().aspect
    assert aspect == single_collection(default_collection=DEFAULT_COLLECTION).aspect
    assert aspect == SingleCollectionWrapper(MemoryStore(), default_collection="").aspect
    assert repr(aspect) == (
        "single_collection(collection='default', separator=':', "
        "default_collection='default_collection')"
    )
