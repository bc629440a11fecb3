"""Values built to cost more than they weigh: nested too deeply or holding millions of items.

Every store and every wrapper refuses to write a value nested deeper than JSON can be written
with a :class:`SerializationError`, and a reader refuses planted data of that kind with a
:class:`DeserializationError` (or reads it as missing when asked to), never with a bare
``RecursionError``. Compression bounds what one read may build, and refuses at write time
what it would refuse to read back.
"""

from __future__ import annotations

import binascii
import json
import sqlite3
import tracemalloc
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import (
    CompressionWrapper,
    CorruptedDataError,
    DeserializationError,
    DiskStore,
    EntryTooLargeError,
    FernetEncryptionWrapper,
    MemoryStore,
    ReadOnlyError,
    RedisStore,
    SerializationError,
)
from kvdeco.testing.strategies import json_values
from kvdeco.wrappers._json import count_items
from tests.security.test_attacks import compressed_envelope
from tests.security.test_hostile_input import WRAPPERS, Inner, inner, redis_url

__all__ = ["inner", "redis_url"]  # fixtures shared with the hostile-input module

DEPTH = 100_000
FERNET = Fernet(Fernet.generate_key())


def nested(depth: int = DEPTH) -> dict[str, Any]:
    """``{"a": {"a": ... {}}}``, ``depth`` mappings deep, built without recursion."""
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def nested_text(depth: int = DEPTH) -> bytes:
    return b'{"a":' * depth + b"{}" + b"}" * depth


# -- nesting -----------------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
async def test_a_value_nested_too_deeply_is_a_serialization_error_everywhere(
    inner: Inner, wrapper: str
) -> None:
    deep = nested()
    async with inner.open() as store:
        outer, others = WRAPPERS[wrapper](store)
        refused = ReadOnlyError if wrapper == "read_only" else SerializationError
        for write in (
            lambda: outer.put("deep", deep, collection="c"),
            lambda: outer.put_many(["ok", "deep"], [{"n": 1}, deep], collection="c"),
        ):
            with pytest.raises(refused):
                await write()
        for underneath in (store, *others):
            assert await underneath.get_many(["deep", "ok"], collection="c") == [None, None]


async def plant(store: Any, text: bytes, collection: str, key: str) -> None:
    """Store ``text`` as the raw stored form of an entry, behind the store's back."""
    await store.put(key, {"placeholder": True}, collection=collection)
    if isinstance(store, RedisStore):
        name = f"{store.namespace}:{len(collection)}:{collection}:{key}"
        assert await store.client.exists(name) == 1
        await store.client.set(name, text)
        return
    assert isinstance(store, DiskStore)
    with sqlite3.connect(store.path) as connection:
        changed = connection.execute(
            "UPDATE kvdeco_entries SET value = ? WHERE collection = ? AND key = ?",
            (text.decode(), collection, key),
        ).rowcount
    assert changed == 1


@pytest.mark.parametrize("kind", ["disk", "redis"])
async def test_planted_json_nested_too_deeply_is_a_deserialization_error(
    kind: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    async with Inner(kind, url).open() as store:
        await plant(store, nested_text(), "c", "deep")
        for read in (
            lambda: store.get("deep", collection="c"),
            lambda: store.get_many(["deep"], collection="c"),
            lambda: store.ttl("deep", collection="c"),
            lambda: store.ttl_many(["deep"], collection="c"),
        ):
            with pytest.raises(DeserializationError):
                await read()


async def test_a_planted_envelope_nested_too_deeply_is_refused_by_compression() -> None:
    inner = MemoryStore()
    await inner.put("deep", compressed_envelope(nested_text()))
    with pytest.raises(DeserializationError):
        await CompressionWrapper(inner).get("deep")


@pytest.mark.parametrize("raising", [True, False])
async def test_an_encrypted_envelope_nested_too_deeply_is_refused(raising: bool) -> None:
    # Written by someone holding the key (or a bug): a version 1 token of the bare JSON. As
    # any decrypted text that is not a JSON object, a CorruptedDataError, or a miss.
    inner = MemoryStore()
    token = FERNET.encrypt(nested_text())
    envelope = {
        "__encrypted_data__": binascii.b2a_base64(token, newline=False).decode(),
        "__encryption_version__": 1,
    }
    await inner.put("deep", envelope)
    store = FernetEncryptionWrapper(
        inner, fernet=FERNET, raise_on_decryption_error=raising, accept_v1=True
    )
    if raising:
        with pytest.raises(CorruptedDataError):
            await store.get("deep")
    else:
        assert await store.get("deep") is None


# -- counting what a parse would build ----------------------------------------------------


def values_in(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(values_in(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(values_in(item) for item in value)
    return 1


@settings(max_examples=300, deadline=None)
@given(value=json_values(max_leaves=40), spaced=st.booleans())
def test_the_item_count_bounds_the_values_a_parse_builds_and_is_exact_when_it_matters(
    value: Any, spaced: bool
) -> None:
    text = json.dumps(value, separators=(", ", ": ") if spaced else (",", ":")).encode()
    true = values_in(value)
    assert count_items(text, 0) >= true  # never below: a bomb cannot hide
    if not spaced:
        assert count_items(text, 0) == true  # exact for the compact JSON kvdeco writes


async def test_a_bomb_of_empty_lists_is_refused_before_it_is_parsed() -> None:
    limit = 8 << 20
    # About 2.8 million empty lists in 8 MiB of text, 10 KiB once gzipped.
    text = b'{"a":[' + b"[]," * ((limit - 16) // 3) + b"[]]}"
    assert len(text) <= limit
    inner = MemoryStore()
    await inner.put("bomb", compressed_envelope(text))
    store = CompressionWrapper(inner, max_decompressed_size=limit)
    tracemalloc.start()
    try:
        with pytest.raises(DeserializationError, match="max_decompressed_items"):
            await store.get("bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Parsing would build about 200 MiB; the refusal costs the text and one copy of it.
    assert peak < 4 * limit


async def test_large_legitimate_values_still_read_back() -> None:
    store = CompressionWrapper(MemoryStore())
    values = [
        {"numbers": list(range(900_000))},
        {"text": 'a, [b], {c}, \\" ' * 400_000},  # commas and brackets inside a string
        {"rows": [{"id": n, "tags": ["x", "y"]} for n in range(150_000)]},
    ]
    for n, value in enumerate(values):
        await store.put(f"v{n}", value)
        assert await store.get(f"v{n}") == value


# -- write what can be read back ---------------------------------------------------------


async def test_compression_refuses_a_write_longer_than_it_would_inflate() -> None:
    inner = MemoryStore()
    store = CompressionWrapper(inner, max_decompressed_size=10_000)
    await store.put("fits", {"blob": "x" * 9_000})
    assert await store.get("fits") == {"blob": "x" * 9_000}
    with pytest.raises(EntryTooLargeError):
        await store.put("big", {"blob": "x" * 10_000})
    with pytest.raises(EntryTooLargeError):
        await store.put_many(["ok", "big"], [{"n": 1}, {"blob": "x" * 10_000}])
    assert await inner.get_many(["big", "ok"]) == [None, None]


async def test_compression_refuses_a_write_of_more_items_than_it_would_parse() -> None:
    inner = MemoryStore()
    store = CompressionWrapper(inner, max_decompressed_items=1_000)
    await store.put("fits", {"n": list(range(990))})
    assert await store.get("fits") == {"n": list(range(990))}
    with pytest.raises(SerializationError, match="max_decompressed_items"):
        await store.put("many", {"n": list(range(1_000))})
    assert await inner.get("many") is None
