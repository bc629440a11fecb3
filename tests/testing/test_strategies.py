"""The strategies draw what they promise: legal inputs a store accepts, illegal ones paired
with the error a store raises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import find, given
from hypothesis.errors import NoSuchExample

from kvdeco import MemoryStore
from kvdeco.testing import kit_settings
from kvdeco.testing import strategies as kst
from kvdeco.validation import check_ttl

FEW = kit_settings(max_examples=30)


@FEW
@given(kst.keys(), kst.collections(), kst.json_mappings())
async def test_legal_keys_collections_and_values_round_trip(
    key: str, collection: Any, value: Any
) -> None:
    store = MemoryStore()
    await store.put(key, value, collection=collection)
    assert await store.get(key, collection=collection) == value


@FEW
@given(kst.json_mappings())
def test_values_are_json_objects(value: Any) -> None:
    assert json.loads(json.dumps(value, allow_nan=False)) == value


@FEW
@given(kst.json_scalars())
def test_scalars_are_json_scalars(value: Any) -> None:
    assert not isinstance(value, (dict, list))
    assert json.loads(json.dumps(value, allow_nan=False)) == value


@FEW
@given(kst.large_mappings(min_size=1024))
def test_large_mappings_are_large(value: Any) -> None:
    assert len(json.dumps(value, sort_keys=True)) >= 1024


@FEW
@given(kst.valid_ttls())
def test_valid_ttls_are_accepted(ttl: Any) -> None:
    check_ttl(ttl)


def test_special_names_cover_separators_escapes_and_unicode() -> None:
    for needed in ["", ":", "__", "%", "\\", "ключ"]:
        assert needed in kst.SPECIAL_NAMES


def test_colliding_names_reach_every_separator_escape_and_unicode_and_stay_short() -> None:
    assert {":", "__", "::", "/", ":/", "→"} <= set(kst.SEPARATORS)
    assert find(kst.separators(), lambda separator: separator == "→") == "→"
    for needed in [":", "_", "/", "%", "2", "F", "\\", "é", "к"]:
        assert needed in find(kst.colliding_names(), lambda name, part=needed: part in name)
    with pytest.raises(NoSuchExample):
        find(kst.colliding_names(max_size=3), lambda name: len(name) > 3, settings=FEW)


@FEW
@given(kst.invalid_ttls())
async def test_invalid_ttls_raise_their_error(case: tuple[Any, type[Exception]]) -> None:
    ttl, error = case
    store = MemoryStore()
    with pytest.raises(error):
        await store.put("k", {}, ttl=ttl)
    assert await store.get("k") is None


@FEW
@given(kst.invalid_values())
async def test_invalid_values_raise_their_error(case: tuple[Any, type[Exception]]) -> None:
    value, error = case
    store = MemoryStore()
    with pytest.raises(error):
        await store.put("k", value)
    assert await store.get("k") is None


@FEW
@given(kst.invalid_keys())
async def test_invalid_keys_raise_their_error(case: tuple[Any, type[Exception]]) -> None:
    key, error = case
    with pytest.raises(error):
        await MemoryStore().get(key)


@FEW
@given(kst.mismatched_put_many())
async def test_mismatched_put_many_is_a_value_error(case: Any) -> None:
    keys, values, error = case
    assert len(keys) != len(values)
    with pytest.raises(error):
        await MemoryStore().put_many(keys, values)


@FEW
@given(kst.invalid_calls(), kst.collections())
async def test_invalid_calls_raise_their_error_and_change_nothing(
    case: kst.InvalidCall, collection: Any
) -> None:
    store = MemoryStore()
    with pytest.raises(case.error):
        await getattr(store, case.operation)(*case.args, collection=collection, **case.kwargs)
    assert await store.get_many(list(case.untouched), collection=collection) == [None] * len(
        case.untouched
    )
    assert "->" in repr(case)
