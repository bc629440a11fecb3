"""DefaultValueWrapper: a missing key reads as the default, which is never stored.

The scenario of py-key-value's own test of its DefaultValueWrapper runs against both
libraries and must give the same answers.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from typing import Any

import pytest
from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
from key_value.aio.wrappers.default_value import DefaultValueWrapper as PkvDefaultValueWrapper

from kvdeco import MemoryStore, SerializationError
from kvdeco.testing import RecordingStore, decorated_both_ways
from kvdeco.wrappers.default_value import DefaultValue, DefaultValueWrapper, with_default

DEFAULT = {"obj_key": "obj_value"}


def _kvdeco() -> Any:
    return DefaultValueWrapper(key_value=MemoryStore(), default_value=DEFAULT, default_ttl=100)


def _pkv() -> Any:
    return PkvDefaultValueWrapper(
        key_value=PkvMemoryStore(), default_value=DEFAULT, default_ttl=100
    )


def _rounded(result: Any) -> Any:
    """TTLs rounded to whole seconds, so that two runs compare."""
    if isinstance(result, list):
        return [_rounded(item) for item in result]
    if isinstance(result, tuple):
        value, ttl = result
        return value, (None if ttl is None else round(ttl))
    return result


async def _scenario(store: Any) -> list[Any]:
    c = "test_collection"
    seen = [
        await store.get(collection=c, key="k1"),
        await store.ttl(collection=c, key="k1"),
        await store.get_many(collection=c, keys=["k1", "k2"]),
        await store.ttl_many(collection=c, keys=["k1", "k2"]),
    ]
    await store.put(collection=c, key="k2", value={"key_2": "value_2"}, ttl=200)
    seen += [
        await store.get(collection=c, key="k2"),
        await store.ttl(collection=c, key="k2"),
        await store.get_many(collection=c, keys=["k1", "k2"]),
        await store.ttl_many(collection=c, keys=["k1", "k2"]),
        await store.delete(collection=c, key="k2"),
        await store.get(collection=c, key="k2"),
    ]
    return _rounded(seen)


async def test_answers_as_py_key_value_does() -> None:
    ours = await _scenario(_kvdeco())
    assert ours == await _scenario(_pkv())
    assert ours[0] == DEFAULT and ours[1] == (DEFAULT, 100)
    assert ours[5] == ({"key_2": "value_2"}, 200)


@pytest.mark.parametrize("path", ["class", "instance"])
async def test_both_paths_read_the_default_and_never_store_it(path: str) -> None:
    store = decorated_both_ways(with_default(DEFAULT, default_ttl=5), MemoryStore)[path]
    assert await store.get("absent") == DEFAULT
    assert await store.ttl_many(["absent"]) == [(DEFAULT, 5.0)]
    assert await MemoryStore.get(store, "absent") is None  # nothing was written
    await store.put("present", {"v": 1})
    assert await store.get("present") == {"v": 1}


async def test_each_read_gets_its_own_copy_of_the_default() -> None:
    default = {"tags": ["a"]}
    store = DefaultValueWrapper(MemoryStore(), default_value=default)
    default["tags"].append("changed after")  # the wrapper kept its own copy
    first, second = await store.get_many(["x", "y"])
    first["tags"].append("mine")
    assert second == {"tags": ["a"]} and await store.get("z") == {"tags": ["a"]}


async def test_writes_and_deletes_pass_through_untouched() -> None:
    inner = RecordingStore(MemoryStore())
    store = DefaultValueWrapper(inner, default_value=DEFAULT)
    await store.put("k", {"v": 1}, ttl=30)
    assert await store.delete("k") is True
    assert await store.delete("k") is False
    assert inner.ttls == [30]


def test_the_default_must_be_json() -> None:
    with pytest.raises(SerializationError):
        DefaultValueWrapper(MemoryStore(), default_value={"s": {1, 2}})


def test_the_aspect_pickles_and_hashes() -> None:
    aspect = DefaultValue({"a": 1}, default_ttl=3.0)
    assert pickle.loads(pickle.dumps(aspect)) == aspect
    assert hash(aspect) == hash(DefaultValue({"b": 2}, default_ttl=3.0))  # the value is not hashed


def test_the_reported_ttl_is_any_real_number_kept_as_a_float() -> None:
    assert with_default(DEFAULT, default_ttl=Decimal("2.5")).aspect.default_ttl == 2.5
    assert DefaultValueWrapper(MemoryStore(), DEFAULT, 7).aspect.default_ttl == 7.0
    with pytest.raises(TypeError, match="default_ttl must be a number"):
        with_default(DEFAULT, default_ttl=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="default_ttl"):
        with_default(DEFAULT, default_ttl=0)
