"""CompressionWrapper: large values are stored gzipped in py-key-value's envelope."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings

from kvdeco import DeserializationError, MemoryStore, SerializationError
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.testing import strategies as kst
from kvdeco.wrappers.compression import Compression, CompressionWrapper, compressed

LARGE = {"text": "lorem ipsum dolor sit amet " * 200, "n": list(range(50))}


def envelope(payload: str, version: Any = 1, algorithm: Any = "gzip") -> dict[str, Any]:
    return {
        "__compressed_data__": payload,
        "__compression_version__": version,
        "__compression_algorithm__": algorithm,
    }


def gzip_b64(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=1)).decode()


class TestCompressionKeepsTheStoreContract(StoreContract):
    # A low threshold, so the contract's values are stored compressed and plain alike.
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(compressed(min_size_to_compress=16), MemoryStore)[request.param]


async def test_a_large_value_is_stored_smaller_in_the_py_key_value_envelope() -> None:
    inner = MemoryStore()
    store = CompressionWrapper(inner)
    await store.put("doc", LARGE)
    stored = await inner.get("doc")
    assert stored is not None
    assert set(stored) == {
        "__compressed_data__",
        "__compression_version__",
        "__compression_algorithm__",
    }
    assert stored["__compression_version__"] == 1
    assert stored["__compression_algorithm__"] == "gzip"
    packed = base64.b64decode(stored["__compressed_data__"], validate=True)
    assert packed[8] == 4  # the gzip header's "fastest" flag: level 1
    assert json.loads(gzip.decompress(packed)) == LARGE
    assert len(json.dumps(stored)) < len(json.dumps(LARGE)) / 5
    assert await store.get("doc") == LARGE


async def test_a_small_value_is_stored_as_it_is() -> None:
    inner = MemoryStore()
    store = CompressionWrapper(inner)
    await store.put("small", {"name": "Ada"})
    assert await inner.get("small") == {"name": "Ada"}


@pytest.mark.parametrize(("length", "compressed_"), [(1014, False), (1015, True)])
async def test_the_threshold_is_measured_as_py_key_value_measures(
    length: int, compressed_: bool
) -> None:
    # json.dumps(value, sort_keys=True) of {"a": "x" * n} is n + 9 characters long.
    value = {"a": "x" * length}
    assert len(json.dumps(value, sort_keys=True)) == length + 9
    inner = MemoryStore()
    await CompressionWrapper(inner, min_size_to_compress=1024).put("k", value)
    stored = await inner.get("k")
    assert stored is not None
    assert ("__compressed_data__" in stored) is compressed_


async def test_a_value_holding_the_marker_key_round_trips() -> None:
    store = CompressionWrapper(MemoryStore())
    tricky = {"__compressed_data__": "not really", "x": 1}
    await store.put("k", tricky)
    assert await store.get("k") == tricky


async def test_a_stored_value_without_the_marker_is_returned_as_it_is() -> None:
    inner = MemoryStore()
    await inner.put("plain", {"written": "before compression"})
    assert await CompressionWrapper(inner).get("plain") == {"written": "before compression"}


async def test_non_json_values_are_refused_before_anything_is_written() -> None:
    inner = MemoryStore()
    store = CompressionWrapper(inner, min_size_to_compress=0)
    with pytest.raises(SerializationError):
        await store.put_many(["a", "b"], [LARGE, {"bad": float("nan")}])
    assert await inner.get_many(["a", "b"]) == [None, None]


@pytest.mark.parametrize(
    "stored",
    [
        envelope("%%% not base64 %%%"),
        envelope(base64.b64encode(b"not gzip at all").decode()),
        envelope(gzip_b64(b"{not json")),
        envelope(gzip_b64(b"[1, 2, 3]")),
        envelope(gzip_b64("\xff".encode("latin-1"))),
        envelope(gzip_b64(b'{"a": 1}')[:-8]),  # truncated
        envelope(12345),  # type: ignore[arg-type]
        envelope(gzip_b64(b'{"a": 1}'), version=2),
        envelope(gzip_b64(b'{"a": 1}'), version="1"),
        envelope(gzip_b64(b'{"a": 1}'), algorithm="zstd"),
        {"__compressed_data__": gzip_b64(b'{"a": 1}')},
    ],
    ids=[
        "bad-base64",
        "bad-gzip",
        "bad-json",
        "not-a-mapping",
        "not-utf8",
        "truncated",
        "payload-not-str",
        "unknown-version",
        "version-not-int",
        "unknown-algorithm",
        "no-version",
    ],
)
async def test_an_unreadable_envelope_is_a_deserialization_error(stored: dict[str, Any]) -> None:
    inner = MemoryStore()
    await inner.put("k", stored, collection="c")
    store = CompressionWrapper(inner)
    with pytest.raises(DeserializationError) as caught:
        await store.get("k", collection="c")
    assert "key='k'" in str(caught.value)
    with pytest.raises(DeserializationError):
        await store.get_many(["k"], collection="c")


async def test_a_decompression_bomb_is_refused_without_inflating_it() -> None:
    bomb_size = 32 * 1024 * 1024
    inner = MemoryStore()
    await inner.put("bomb", envelope(gzip_b64(b'{"a":"' + b"0" * bomb_size + b'"}')))
    store = CompressionWrapper(inner, max_decompressed_size=1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(DeserializationError, match="max_decompressed_size"):
            await store.get("bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


async def test_a_value_exactly_at_the_decompression_limit_is_read() -> None:
    value = {"a": "x" * 100}
    size = len(json.dumps(value, separators=(",", ":")))
    store = CompressionWrapper(MemoryStore(), min_size_to_compress=0, max_decompressed_size=size)
    await store.put("k", value)
    assert await store.get("k") == value


async def test_bulk_calls_stay_bulk() -> None:
    inner = RecordingStore(MemoryStore())
    store = CompressionWrapper(inner, min_size_to_compress=0)
    await store.put_many(["a", "b", "c"], [LARGE, {"n": 1}, LARGE])
    assert await store.get_many(["a", "b", "c"]) == [LARGE, {"n": 1}, LARGE]
    assert inner.operations == ["put_many", "get_many"]


@pytest.mark.parametrize("direction", ["py-key-value writes", "kvdeco writes"])
@pytest.mark.parametrize("shared", ["py-key-value MemoryStore", "kvdeco MemoryStore"])
async def test_data_is_shared_with_py_key_value(direction: str, shared: str) -> None:
    from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
    from key_value.aio.wrappers.compression import CompressionWrapper as PkvCompressionWrapper

    backing: Any = PkvMemoryStore() if shared.startswith("py") else MemoryStore()
    theirs, ours = PkvCompressionWrapper(key_value=backing), CompressionWrapper(backing)
    writer, reader = (theirs, ours) if direction.startswith("py") else (ours, theirs)
    await writer.put("doc", LARGE, collection="docs")
    await writer.put("small", {"n": 1}, collection="docs")
    raw = await backing.get("doc", collection="docs")
    assert raw is not None and "__compressed_data__" in raw
    assert await reader.get_many(["doc", "small"], collection="docs") == [LARGE, {"n": 1}]


@pytest.mark.parametrize(
    "argument",
    [
        {"min_size_to_compress": -1},
        {"min_size_to_compress": True},
        {"max_decompressed_size": 0},
        {"max_decompressed_size": 1.5},
    ],
)
def test_invalid_arguments_are_refused(argument: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError), match=next(iter(argument))):
        CompressionWrapper(MemoryStore(), **argument)


def test_the_decorator_works_bare_and_called() -> None:
    assert compressed(MemoryStore).__kvdeco_aspect__ == Compression()  # type: ignore[attr-defined]
    assert repr(compressed(min_size_to_compress=10)) == (
        "compressed(min_size_to_compress=10, max_decompressed_size=67108864,"
        " max_decompressed_items=1000000)"
    )


@settings(max_examples=150, deadline=None)
@given(value=kst.json_mappings(large=False))
def test_any_json_mapping_round_trips_compressed_or_not(value: dict[str, Any]) -> None:
    async def check() -> None:
        for threshold in (0, 64):
            store = CompressionWrapper(MemoryStore(), min_size_to_compress=threshold)
            await store.put("k", value)
            assert await store.get("k") == value

    asyncio.run(check())


class TestCompressionOverEncryptionKeepsTheStoreContract(StoreContract):
    # The stack the specification recommends for production: compress, then encrypt.
    @pytest.fixture
    def store(self) -> Any:
        from cryptography.fernet import Fernet

        from kvdeco.wrappers.encryption import encrypted

        fernet = Fernet(Fernet.generate_key())
        return compressed(min_size_to_compress=16)(encrypted(fernet)(MemoryStore()))
