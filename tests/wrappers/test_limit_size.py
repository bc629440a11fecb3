"""LimitSizeWrapper: values outside a size range are refused, or skipped when asked."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given, settings

from kvdeco import EntryTooLargeError, EntryTooSmallError, MemoryStore, SerializationError
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.testing import strategies as kst
from kvdeco.wrappers.limit_size import LimitSizeWrapper, limit_size


def size(value: dict[str, Any]) -> int:
    return len(json.dumps(value, sort_keys=True))


class TestLimitSizeKeepsTheStoreContract(StoreContract):
    # Limits wide enough for every value the contract writes.
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        decorator = limit_size(10_000, min_size=2)
        return decorated_both_ways(decorator, MemoryStore)[request.param]


async def test_a_value_larger_than_max_size_is_a_value_error_naming_no_value() -> None:
    store = LimitSizeWrapper(MemoryStore(), max_size=20)
    value = {"secret": "s3cr3t-" * 5}
    with pytest.raises(ValueError) as caught:
        await store.put("k", value, collection="c")
    assert isinstance(caught.value, EntryTooLargeError)
    assert caught.value.size == size(value) and caught.value.max_size == 20
    assert "s3cr3t" not in str(caught.value) and "key='k'" in str(caught.value)
    assert await store.get("k", collection="c") is None


async def test_the_size_is_measured_as_py_key_value_measures() -> None:
    value = {"b": [1, 2], "a": "ü"}  # spaces after separators, non-ASCII escaped
    store = LimitSizeWrapper(MemoryStore(), max_size=size(value))
    await store.put("fits", value)
    with pytest.raises(EntryTooLargeError):
        await LimitSizeWrapper(MemoryStore(), max_size=size(value) - 1).put("k", value)


async def test_a_value_smaller_than_min_size_is_refused() -> None:
    store = LimitSizeWrapper(MemoryStore(), min_size=10)
    with pytest.raises(EntryTooSmallError):
        await store.put("k", {})
    await store.put("k", {"long enough": 1})


async def test_with_raising_one_bad_entry_makes_put_many_write_nothing() -> None:
    store = LimitSizeWrapper(MemoryStore(), max_size=30, min_size=5)
    for bad in ({"x": "y" * 100}, {}):
        with pytest.raises((EntryTooLargeError, EntryTooSmallError)):
            await store.put_many(["a", "bad", "c"], [{"n": 1}, bad, {"n": 3}])
        assert await store.get_many(["a", "bad", "c"]) == [None, None, None]


async def test_without_raising_bad_entries_are_skipped_and_the_rest_written() -> None:
    inner = RecordingStore(MemoryStore())
    store = LimitSizeWrapper(
        inner, max_size=30, min_size=5, raise_on_too_large=False, raise_on_too_small=False
    )
    await store.put_many(["a", "big", "tiny", "d"], [{"n": 1}, {"x": "y" * 100}, {}, {"n": 4}])
    assert await store.get_many(["a", "big", "tiny", "d"]) == [{"n": 1}, None, None, {"n": 4}]
    await store.put("big", {"x": "y" * 100})
    await store.put_many(["tiny"], [{}])
    assert await inner.get("big") is None
    assert inner.operations == ["put_many", "get_many", "get"]  # nothing left: nothing sent


async def test_skipping_still_refuses_an_invalid_ttl_or_value() -> None:
    store = LimitSizeWrapper(MemoryStore(), max_size=5, raise_on_too_large=False)
    with pytest.raises(ValueError):
        await store.put("k", {"x": "y" * 100}, ttl=-1)
    with pytest.raises(SerializationError):
        await store.put("k", {"x": {1, 2}})
    with pytest.raises(TypeError):
        await store.put("k", ["not", "a", "mapping"])  # type: ignore[arg-type]


async def test_reads_are_never_limited() -> None:
    inner = MemoryStore()
    await inner.put("big", {"x": "y" * 100})
    assert await LimitSizeWrapper(inner, max_size=5).get("big") == {"x": "y" * 100}


async def test_bulk_calls_stay_bulk() -> None:
    inner = RecordingStore(MemoryStore())
    store = LimitSizeWrapper(inner, max_size=100)
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
    assert inner.operations == ["put_many"]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"max_size": 0}, ValueError),
        ({"max_size": -5}, ValueError),
        ({"max_size": True}, TypeError),
        ({"max_size": 1.5}, TypeError),
        ({"min_size": -1}, ValueError),
        ({"min_size": False}, TypeError),
        ({"max_size": 10, "min_size": 11}, ValueError),
        ({"raise_on_too_large": "yes"}, TypeError),
    ],
)
def test_invalid_arguments_are_refused(arguments: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error, match=next(iter(arguments))):
        LimitSizeWrapper(MemoryStore(), **arguments)
    with pytest.raises(error):
        limit_size(**arguments)


def test_the_decorator_reads_like_its_call() -> None:
    assert repr(limit_size(100, min_size=1)) == (
        "limit_size(max_size=100, min_size=1, raise_on_too_large=True, raise_on_too_small=True)"
    )


@settings(max_examples=150, deadline=None)
@given(value=kst.json_mappings(large=False))
def test_a_value_is_written_exactly_when_its_size_is_within_the_limits(
    value: dict[str, Any],
) -> None:
    limit = 40

    async def check() -> None:
        store = LimitSizeWrapper(MemoryStore(), max_size=limit, raise_on_too_large=False)
        await store.put("k", value)
        expected = value if size(value) <= limit else None
        assert await store.get("k") == expected

    asyncio.run(check())
