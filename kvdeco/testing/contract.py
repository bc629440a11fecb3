"""The store contract as a pytest base class: every operation, bulk, TTL, expiry and errors.

A subclass provides a ``store`` fixture. Class attributes tune what is checked for stores
and wrappers that legitimately differ:

Attributes:
    expiry_seconds: A TTL short enough to wait out in a test.
    ttl_tolerance: How far a read-back TTL may be from the one written, in seconds.
    checks_ttl_exactly: False for wrappers that change TTLs on purpose (a TTL clamp).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any, ClassVar

import pytest

from kvdeco.errors import InvalidTTLError, SerializationError
from kvdeco.protocols import AsyncKeyValue

__all__ = ["StoreContract", "decorated_both_ways"]

_ODD_KEYS = ["", "a:b", "!@#$%^&*()", "ключ", "x" * 500, "with space", "a\\b", "%25"]


class StoreContract:
    """Tests every store must pass. Subclass it and provide a ``store`` fixture."""

    expiry_seconds: ClassVar[float] = 0.05
    ttl_tolerance: ClassVar[float] = 1.0
    checks_ttl_exactly: ClassVar[bool] = True

    async def wait_for_expiry(self, store: Any) -> None:
        """Wait until an entry written with :attr:`expiry_seconds` has expired."""
        await asyncio.sleep(self.expiry_seconds * 3)

    async def test_satisfies_the_protocol(self, store: Any) -> None:
        assert isinstance(store, AsyncKeyValue)

    async def test_put_then_get_returns_an_equal_value(self, store: Any) -> None:
        value = {"name": "Ada", "tags": ["x", "y"], "nested": {"n": 1, "f": 1.5, "ok": True}}
        await store.put("k", value, collection="c")
        assert await store.get("k", collection="c") == value

    async def test_get_of_a_missing_key_is_none(self, store: Any) -> None:
        assert await store.get("missing", collection="c") is None
        assert await store.ttl("missing", collection="c") == (None, None)

    async def test_empty_mapping_is_a_hit(self, store: Any) -> None:
        await store.put("empty", {}, collection="c")
        assert await store.get("empty", collection="c") == {}
        assert (await store.ttl("empty", collection="c"))[0] == {}

    async def test_get_returns_a_fresh_copy(self, store: Any) -> None:
        original: dict[str, Any] = {"items": [1, 2], "inner": {"a": 1}}
        await store.put("k", original, collection="c")
        original["items"].append(3)
        first = await store.get("k", collection="c")
        assert first == {"items": [1, 2], "inner": {"a": 1}}
        first["items"].append(4)
        first["inner"]["a"] = 2
        assert await store.get("k", collection="c") == {"items": [1, 2], "inner": {"a": 1}}

    async def test_put_overwrites(self, store: Any) -> None:
        await store.put("k", {"v": 1}, collection="c")
        await store.put("k", {"v": 2}, collection="c")
        assert await store.get("k", collection="c") == {"v": 2}

    async def test_collections_are_separate(self, store: Any) -> None:
        await store.put("k", {"v": "one"}, collection="one")
        await store.put("k", {"v": "two"}, collection="two")
        assert await store.get("k", collection="one") == {"v": "one"}
        assert await store.get("k", collection="two") == {"v": "two"}

    async def test_none_and_empty_collection_are_the_default(self, store: Any) -> None:
        await store.put("k", {"v": 1})
        assert await store.get("k", collection="") == {"v": 1}
        assert await store.get("k", collection=None) == {"v": 1}

    @pytest.mark.parametrize("key", _ODD_KEYS)
    async def test_any_string_is_a_key(self, store: Any, key: str) -> None:
        await store.put(key, {"key": key}, collection="odd:collection!")
        assert await store.get(key, collection="odd:collection!") == {"key": key}

    async def test_ttl_reads_back_the_remaining_time(self, store: Any) -> None:
        await store.put("k", {"v": 1}, collection="c", ttl=100)
        value, remaining = await store.ttl("k", collection="c")
        assert value == {"v": 1}
        assert remaining is not None
        if self.checks_ttl_exactly:
            assert 100 - self.ttl_tolerance <= remaining <= 100

    async def test_no_ttl_reads_back_as_none(self, store: Any) -> None:
        await store.put("k", {"v": 1}, collection="c")
        if self.checks_ttl_exactly:
            assert await store.ttl("k", collection="c") == ({"v": 1}, None)

    async def test_expired_entries_are_never_returned(self, store: Any) -> None:
        await store.put("short", {"v": 1}, collection="c", ttl=self.expiry_seconds)
        await store.put_many(
            ["s1", "s2"], [{"v": 1}, {"v": 2}], collection="c", ttl=self.expiry_seconds
        )
        await store.put("long", {"v": 2}, collection="c", ttl=3600)
        await self.wait_for_expiry(store)
        assert await store.get("short", collection="c") is None
        assert await store.ttl("short", collection="c") == (None, None)
        assert await store.get_many(["s1", "s2", "long"], collection="c") == [None, None, {"v": 2}]
        assert await store.delete("short", collection="c") is False

    @pytest.mark.parametrize(
        "ttl", [0, -1, True, False, math.nan, math.inf, -math.inf, "ten", "30"]
    )
    async def test_invalid_ttls_are_refused(self, store: Any, ttl: Any) -> None:
        with pytest.raises(InvalidTTLError):
            await store.put("k", {"v": 1}, collection="c", ttl=ttl)
        with pytest.raises(InvalidTTLError):
            await store.put_many(["k"], [{"v": 1}], collection="c", ttl=ttl)
        assert await store.get("k", collection="c") is None

    @pytest.mark.parametrize("value", [["a", "list"], "text", 7, None])
    async def test_a_non_mapping_value_is_a_type_error(self, store: Any, value: Any) -> None:
        with pytest.raises(TypeError):
            await store.put("k", value, collection="c")
        assert await store.get("k", collection="c") is None

    @pytest.mark.parametrize("value", [{"s": {1, 2}}, {"b": b"bytes"}, {"o": object()}])
    async def test_a_non_json_value_is_a_serialization_error(self, store: Any, value: Any) -> None:
        with pytest.raises(SerializationError):
            await store.put("k", value, collection="c")
        assert await store.get("k", collection="c") is None

    async def test_delete_reports_whether_something_was_deleted(self, store: Any) -> None:
        await store.put("k", {"v": 1}, collection="c")
        assert await store.delete("k", collection="c") is True
        assert await store.delete("k", collection="c") is False
        assert await store.get("k", collection="c") is None

    async def test_get_many_keeps_order_and_duplicates(self, store: Any) -> None:
        await store.put_many(["a", "b", "c"], [{"n": 1}, {"n": 2}, {"n": 3}], collection="c")
        result = await store.get_many(["c", "missing", "a", "c"], collection="c")
        assert result == [{"n": 3}, None, {"n": 1}, {"n": 3}]
        assert await store.get_many([], collection="c") == []

    async def test_ttl_many_pairs_values_with_ttls(self, store: Any) -> None:
        await store.put("a", {"n": 1}, collection="c", ttl=50)
        await store.put("b", {"n": 2}, collection="c")
        result = await store.ttl_many(["a", "b", "x"], collection="c")
        assert [value for value, _ in result] == [{"n": 1}, {"n": 2}, None]
        assert result[2] == (None, None)
        if self.checks_ttl_exactly:
            assert result[0][1] is not None and 50 - self.ttl_tolerance <= result[0][1] <= 50
            assert result[1][1] is None

    async def test_put_many_applies_one_ttl_to_all(self, store: Any) -> None:
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="c", ttl=60)
        for _, remaining in await store.ttl_many(["a", "b"], collection="c"):
            assert remaining is not None
            if self.checks_ttl_exactly:
                assert 60 - self.ttl_tolerance <= remaining <= 60

    async def test_put_many_with_mismatched_lengths_writes_nothing(self, store: Any) -> None:
        with pytest.raises(ValueError):
            await store.put_many(["a", "b"], [{"n": 1}], collection="c")
        assert await store.get_many(["a", "b"], collection="c") == [None, None]

    async def test_put_many_with_one_bad_value_writes_nothing(self, store: Any) -> None:
        with pytest.raises((TypeError, SerializationError)):
            await store.put_many(["a", "b"], [{"n": 1}, {"bad": {1, 2}}], collection="c")
        assert await store.get_many(["a", "b"], collection="c") == [None, None]

    async def test_delete_many_counts_what_it_deleted(self, store: Any) -> None:
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="c")
        assert await store.delete_many(["a", "b", "missing"], collection="c") == 2
        assert await store.delete_many(["a", "b"], collection="c") == 0
        assert await store.delete_many([], collection="c") == 0

    async def test_bulk_and_single_operations_agree(self, store: Any) -> None:
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="c")
        assert await store.get("a", collection="c") == {"n": 1}
        await store.put("c", {"n": 3}, collection="c")
        assert await store.get_many(["c"], collection="c") == [{"n": 3}]

    async def test_keys_lists_live_keys_when_supported(self, store: Any) -> None:
        if not hasattr(store, "keys"):
            pytest.skip("the store cannot list keys")
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="listed")
        assert sorted(await store.keys("listed")) == ["a", "b"]
        assert len(await store.keys("listed", limit=1)) == 1

    async def test_destroy_collection_when_supported(self, store: Any) -> None:
        if not hasattr(store, "destroy_collection"):
            pytest.skip("the store cannot destroy a collection")
        await store.put("a", {"n": 1}, collection="doomed")
        await store.put("a", {"n": 1}, collection="kept")
        assert await store.destroy_collection("doomed") is True
        assert await store.get("a", collection="doomed") is None
        assert await store.get("a", collection="kept") == {"n": 1}


def decorated_both_ways(decorator: Any, store_class: type, **store_options: Any) -> dict[str, Any]:
    """Apply a decorator to a store class and to a store instance, for tests of both paths.

    Returns:
        ``{"class": instance of the decorated class, "instance": wrapped instance}``.

    Example:
        >>> from kvdeco import MemoryStore, with_statistics
        >>> sorted(decorated_both_ways(with_statistics(), MemoryStore))
        ['class', 'instance']
    """
    return {
        "class": decorator(store_class)(**store_options),
        "instance": decorator(store_class(**store_options)),
    }
