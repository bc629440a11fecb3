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

_MANY = 300  # more entries than a store that quietly drops them past a few dozen can hold

_ODD_KEYS = ["", "a:b", "!@#$%^&*()", "ключ", "x" * 500, "with space", "a\\b", "%25"]


async def answer(awaitable: Any, call: str, expects: str) -> Any:
    """Await a legal store call; if it raises, fail saying so plainly.

    Example:
        A store whose ``destroy_collection`` raises ``KeyError`` fails with
        ``destroy_collection('doomed') raised KeyError: 'doomed'; the contract expects
        True or False`` instead of a bare traceback.
    """
    try:
        return await awaitable
    except Exception as error:
        raise AssertionError(
            f"{call} raised {type(error).__name__}: {error}; the contract expects {expects}"
        ) from error


class StoreContract:
    """Tests every store must pass. Subclass it and provide a ``store`` fixture."""

    expiry_seconds: ClassVar[float] = 0.05
    ttl_tolerance: ClassVar[float] = 1.0
    checks_ttl_exactly: ClassVar[bool] = True
    # Marked, so a project running pytest-asyncio in its default (strict) mode runs them too.
    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.asyncio]

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

    async def test_many_entries_are_all_kept(self, store: Any) -> None:
        keys = [f"k{i}" for i in range(_MANY)]
        await store.put_many(keys, [{"n": i} for i in range(_MANY)], collection="many")
        for i in range(0, 40):
            await store.put(f"single{i}", {"n": i}, collection="many")
        found = await store.get_many(keys, collection="many")
        lost = [k for k, v, i in zip(keys, found, range(_MANY)) if v != {"n": i}]
        assert not lost, f"{len(lost)} of {_MANY} entries written with put_many read back wrong"
        singles = await store.get_many([f"single{i}" for i in range(40)], collection="many")
        assert singles == [{"n": i} for i in range(40)], "entries written one by one were lost"
        if hasattr(store, "keys"):
            listed = await store.keys("many")
            assert len(listed) == _MANY + 40, f"keys() listed {len(listed)} of {_MANY + 40}"

    async def test_keys_lists_live_keys_when_supported(self, store: Any) -> None:
        if not hasattr(store, "keys"):
            pytest.skip("the store cannot list keys")
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="listed")
        listed = sorted(await store.keys("listed"))
        assert listed == ["a", "b"], f"keys() listed {listed}; ['a', 'b'] were written"
        limited = await store.keys("listed", limit=1)
        assert len(limited) == 1, f"keys(limit=1) listed {limited}"
        await store.delete("a", collection="listed")
        listed = await store.keys("listed")
        assert listed == ["b"], f"keys() listed {listed} after 'a' was deleted"

    async def test_listings_leave_out_expired_entries_when_supported(self, store: Any) -> None:
        if not hasattr(store, "keys"):
            pytest.skip("the store cannot list keys")
        await store.put("short", {"v": 1}, collection="fading", ttl=self.expiry_seconds)
        await store.put("long", {"v": 1}, collection="fading", ttl=3600)
        await store.put("short", {"v": 1}, collection="faded", ttl=self.expiry_seconds)
        await self.wait_for_expiry(store)
        listed = await store.keys("fading")
        assert listed == ["long"], f"keys() listed {listed} once 'short' had expired"
        assert await store.keys("faded") == [], "keys() listed entries that had expired"
        if hasattr(store, "collections"):
            names = await store.collections()
            assert "fading" in names, f"collections() listed {names} without 'fading'"
            assert "faded" not in names, (
                f"collections() listed {names}: every entry of 'faded' has expired"
            )

    async def test_collections_lists_only_collections_with_entries_when_supported(
        self, store: Any
    ) -> None:
        if not hasattr(store, "collections"):
            pytest.skip("the store cannot list collections")
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="emptied")
        await store.put("a", {"n": 1}, collection="full")
        await store.delete("a", collection="emptied")
        await store.delete_many(["b"], collection="emptied")
        names = await store.collections()
        assert "full" in names, f"collections() listed {names} without 'full'"
        assert "emptied" not in names, (
            f"collections() listed {names}: every entry of 'emptied' was deleted"
        )

    async def test_destroy_collection_when_supported(self, store: Any) -> None:
        if not hasattr(store, "destroy_collection"):
            pytest.skip("the store cannot destroy a collection")
        # Names that extend the destroyed one, or that it extends, are other collections.
        kept = ["kept", "doome", "doomed:x", "doomedx", "doomed_"]
        await store.put("a", {"n": 1}, collection="doomed")
        for name in kept:
            await store.put("a", {"n": 1}, collection=name)
        call = "destroy_collection('doomed')"
        destroyed = await answer(store.destroy_collection("doomed"), call, "True or False")
        assert destroyed is True, f"{call} returned {destroyed!r}; it held an entry: True"
        left = await answer(store.get("a", collection="doomed"), "get('a')", "None")
        assert left is None, f"{call} left its entry: get('a') returned {left!r}"
        survivors = [
            await answer(store.get("a", collection=n), f"get('a', collection={n!r})", "a dict")
            for n in kept
        ]
        lost = [n for n, found in zip(kept, survivors) if found != {"n": 1}]
        assert not lost, f"{call} also emptied {lost}"
        again = await answer(store.destroy_collection("doomed"), call, "True or False")
        assert again is False, f"{call} of an empty collection returned {again!r}; False"


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
