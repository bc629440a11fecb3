"""FernetEncryptionWrapper: values are opaque, tamper-evident and bound to their place."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import pickle
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import (
    CorruptedDataError,
    DecryptionError,
    EncryptionVersionError,
    MemoryStore,
    SerializationError,
    layers,
)
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.testing import strategies as kst
from kvdeco.wrappers.encryption import (
    BaseEncryptionWrapper,
    EncryptionOptions,
    EnvelopeEncryption,
    FernetEncryption,
    FernetEncryptionWrapper,
    UnsupportedEnvelopeVersionError,
    derive_fernet_key,
    encrypted,
    reencrypt_collection,
)

KEY = Fernet.generate_key()
FERNET = Fernet(KEY)
CANARY = "canary-7f3e-very-secret"


async def raw_entries(store: MemoryStore) -> list[dict[str, Any]]:
    """Every value a MemoryStore holds, in every collection, as it holds it."""
    found: list[dict[str, Any]] = []
    for collection in await store.collections():
        keys = await store.keys(collection)
        found.extend(v for v in await store.get_many(keys, collection=collection) if v is not None)
    return found


def token_of(stored: dict[str, Any]) -> bytes:
    return base64.b64decode(stored["__encrypted_data__"])


def with_token(stored: dict[str, Any], token: bytes) -> dict[str, Any]:
    return {**stored, "__encrypted_data__": base64.b64encode(token).decode()}


class TestEncryptionKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(encrypted(FERNET), MemoryStore)[request.param]


class TestEnvelopeVersion1KeepsTheStoreContract(StoreContract):
    @pytest.fixture
    def store(self) -> Any:
        return FernetEncryptionWrapper(MemoryStore(), FERNET, envelope_version=1)


# -- what the wrapper promises ------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
async def test_a_secret_never_appears_in_what_the_store_holds(version: int) -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET, envelope_version=version)
    secret = {"password": CANARY, "nested": {"list": [CANARY, {"deep": CANARY}]}}
    await store.put("user:1", secret, collection="credentials")
    await store.put_many(["a", "b"], [secret, {"note": CANARY}], collection="other", ttl=60)
    raw = json.dumps(await raw_entries(inner))
    assert CANARY not in raw
    assert base64.b64encode(CANARY.encode()).decode()[:16] not in raw
    for stored in await raw_entries(inner):
        assert set(stored) == {"__encrypted_data__", "__encryption_version__"}
        assert stored["__encryption_version__"] == version
    assert await store.get("user:1", collection="credentials") == secret


async def test_a_tampered_token_is_a_decryption_error() -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    await store.put("k", {"v": CANARY})
    stored = await inner.get("k")
    assert stored is not None
    token = bytearray(token_of(stored))
    token[40] = ord("A") if token[40] != ord("A") else ord("B")
    await inner.put("k", with_token(stored, bytes(token)))
    with pytest.raises(DecryptionError) as caught:
        await store.get("k")
    assert CANARY not in str(caught.value) and KEY.decode() not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def base64_aliases(token: bytes) -> list[bytes]:
    """Other spellings of ``token`` that Fernet itself accepts (it ignores spare bits)."""
    last = len(token.rstrip(b"=")) - 1
    aliases = []
    for char in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_":
        changed = token[:last] + bytes([char]) + token[last + 1 :]
        try:
            FERNET.decrypt(changed)
        except InvalidToken:
            continue
        if changed != token:
            aliases.append(changed)
    return aliases


async def test_a_token_changed_only_in_its_spare_base64_bits_is_refused() -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    for length in range(48):  # find a value whose token length leaves spare bits
        await store.put("k", {"v": "x" * length})
        stored = await inner.get("k")
        assert stored is not None
        aliases = base64_aliases(token_of(stored))
        if aliases:
            break
    assert aliases, "no token with spare bits was found"
    assert stored is not None
    for alias in aliases:
        await inner.put("k", with_token(stored, alias))
        with pytest.raises(DecryptionError):
            await store.get("k")


@pytest.mark.parametrize("move", ["another key", "another collection"])
async def test_an_envelope_moved_elsewhere_does_not_decrypt_there(move: str) -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    await store.put("alice", {"role": "admin"}, collection="users")
    stored = await inner.get("alice", collection="users")
    assert stored is not None
    target = ("mallory", "users") if move == "another key" else ("alice", "guests")
    await inner.put(target[0], stored, collection=target[1])
    with pytest.raises(DecryptionError, match="another key or collection"):
        await store.get(target[0], collection=target[1])


async def test_version_1_cannot_tell_that_an_envelope_was_moved() -> None:
    # py-key-value's format encrypts the value only: this is why version 2 is the default.
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET, envelope_version=1)
    await store.put("alice", {"role": "admin"}, collection="users")
    await inner.put("mallory", await inner.get("alice", collection="users"), collection="users")  # type: ignore[arg-type]
    assert await store.get("mallory", collection="users") == {"role": "admin"}


async def test_the_default_collection_is_the_same_place_however_it_is_named() -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    await store.put("k", {"v": 1})
    assert await store.get("k", collection="") == {"v": 1}
    assert await store.get("k", collection="default_collection") == {"v": 1}


async def test_a_value_from_another_key_is_a_decryption_error() -> None:
    inner = MemoryStore()
    await FernetEncryptionWrapper(inner, Fernet(Fernet.generate_key())).put("k", {"v": 1})
    with pytest.raises(DecryptionError, match="wrong key or tampered"):
        await FernetEncryptionWrapper(inner, FERNET).get("k")


@pytest.mark.parametrize(
    "stored",
    [
        {"__encrypted_data__": "abcd"},
        {"__encrypted_data__": "abcd", "__encryption_version__": "2"},
        {"__encrypted_data__": "abcd", "__encryption_version__": True},
        {"__encrypted_data__": 42, "__encryption_version__": 2},
        {"__encrypted_data__": "%%% not base64", "__encryption_version__": 2},
        {"__encrypted_data__": "abcd===", "__encryption_version__": 2},
    ],
    ids=["no-version", "str-version", "bool-version", "int-data", "bad-base64", "bad-padding"],
)
async def test_a_malformed_envelope_is_corrupted_data(stored: dict[str, Any]) -> None:
    inner = MemoryStore()
    await inner.put("k", stored, collection="c")
    with pytest.raises(CorruptedDataError, match="key='k'"):
        await FernetEncryptionWrapper(inner, FERNET).get("k", collection="c")


async def test_decrypted_data_that_is_not_a_json_object_is_corrupted_data() -> None:
    inner = MemoryStore()
    await inner.put("k", with_token({"__encryption_version__": 1}, FERNET.encrypt(b"[1]")))
    with pytest.raises(CorruptedDataError):
        await FernetEncryptionWrapper(inner, FERNET, accept_v1=True).get("k")


async def test_an_unknown_envelope_version_is_a_decryption_and_a_version_error() -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    await store.put("k", {"v": 1})
    stored = await inner.get("k")
    await inner.put("k", {**stored, "__encryption_version__": 3})  # type: ignore[dict-item]
    with pytest.raises(UnsupportedEnvelopeVersionError) as caught:
        await store.get("k")
    assert isinstance(caught.value, DecryptionError)
    assert isinstance(caught.value, EncryptionVersionError)


async def test_without_raising_an_unreadable_entry_reads_as_missing() -> None:
    inner = MemoryStore()
    await inner.put_many(
        ["bad", "corrupt", "future"],
        [
            with_token({"__encryption_version__": 2}, b"garbage"),
            {"__encrypted_data__": 1, "__encryption_version__": 2},
            {"__encrypted_data__": "abcd", "__encryption_version__": 9},
        ],
    )
    store = FernetEncryptionWrapper(inner, FERNET, raise_on_decryption_error=False)
    await store.put("good", {"v": 1}, ttl=100)
    assert await store.get("bad") is None
    assert await store.ttl("bad") == (None, None)
    assert await store.get_many(["bad", "good", "corrupt", "future"]) == [
        None,
        {"v": 1},
        None,
        None,
    ]
    results = await store.ttl_many(["future", "good"])
    assert results[0] == (None, None) and results[1][0] == {"v": 1}


async def test_a_stored_value_without_the_marker_is_returned_as_it_is() -> None:
    inner = MemoryStore()
    await inner.put("plain", {"written": "before encryption"})
    assert await FernetEncryptionWrapper(inner, FERNET).get("plain") == {
        "written": "before encryption"
    }


async def test_a_value_holding_the_marker_key_is_encrypted_like_any_other() -> None:
    store = FernetEncryptionWrapper(MemoryStore(), FERNET)
    tricky = {"__encrypted_data__": "mine", "__encryption_version__": 1}
    await store.put("k", tricky)
    assert await store.get("k") == tricky


async def test_non_json_values_are_refused_before_anything_is_written() -> None:
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, FERNET)
    with pytest.raises(SerializationError):
        await store.put_many(["a", "b"], [{"ok": 1}, {"bad": {1, 2}}])
    assert await inner.get_many(["a", "b"]) == [None, None]


async def test_bulk_calls_stay_bulk() -> None:
    inner = RecordingStore(MemoryStore())
    store = FernetEncryptionWrapper(inner, FERNET)
    await store.put_many(["a", "b", "c"], [{"n": 1}, {"n": 2}, {"n": 3}], collection="c")
    assert await store.get_many(["a", "b", "c"], collection="c") == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert inner.operations == ["put_many", "get_many"]


# -- key rotation ---------------------------------------------------------------------------


async def test_rotation_re_encrypts_every_entry_under_the_newest_key_keeping_ttls() -> None:
    old, new = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())
    inner = RecordingStore(MemoryStore())
    before = FernetEncryptionWrapper(inner, old, envelope_version=1)
    await before.put_many([f"k{i}" for i in range(5)], [{"i": i} for i in range(5)], collection="c")
    await before.put("expiring", {"e": 1}, collection="c", ttl=100)
    await before.put("elsewhere", {"x": 1}, collection="other")
    rotating = FernetEncryptionWrapper(inner, MultiFernet([new, old]), accept_v1=True)
    inner.reset()

    assert await reencrypt_collection(rotating, "c", batch_size=4) == 6

    assert "get" not in inner.calls and "put" not in inner.calls
    only_new = FernetEncryptionWrapper(inner, new)
    assert await only_new.get_many([f"k{i}" for i in range(5)], collection="c") == [
        {"i": i} for i in range(5)
    ]
    value, remaining = await only_new.ttl("expiring", collection="c")
    assert value == {"e": 1} and remaining is not None and 98 < remaining <= 101
    assert (await only_new.ttl("k0", collection="c"))[1] is None
    assert (await inner.get("k0", collection="c"))["__encryption_version__"] == 2
    with pytest.raises(DecryptionError):
        await only_new.get("elsewhere", collection="other")  # another collection: untouched


async def test_rotation_needs_an_encrypted_store_that_lists_keys() -> None:
    with pytest.raises(TypeError, match="encrypt"):
        await reencrypt_collection(MemoryStore(), "c")
    with pytest.raises(ValueError, match="batch_size"):
        await reencrypt_collection(FernetEncryptionWrapper(MemoryStore(), FERNET), batch_size=0)


# -- compatibility with py-key-value --------------------------------------------------------


@pytest.mark.parametrize("shared", ["py-key-value MemoryStore", "kvdeco MemoryStore"])
async def test_py_key_value_data_reads_back_and_version_1_is_read_by_it(shared: str) -> None:
    from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
    from key_value.aio.wrappers.encryption import FernetEncryptionWrapper as PkvFernetWrapper

    backing: Any = PkvMemoryStore() if shared.startswith("py") else MemoryStore()
    theirs = PkvFernetWrapper(key_value=backing, fernet=FERNET)
    await theirs.put("theirs", {"v": "from py-key-value", "ü": [1]}, collection="c")
    # A version 2 writer reads version 1 when asked to; by default it refuses it.
    ours = FernetEncryptionWrapper(backing, FERNET, accept_v1=True)
    assert await ours.get("theirs", collection="c") == {"v": "from py-key-value", "ü": [1]}
    with pytest.raises(UnsupportedEnvelopeVersionError):
        await FernetEncryptionWrapper(backing, FERNET).get("theirs", collection="c")

    ours_v1 = FernetEncryptionWrapper(backing, FERNET, envelope_version=1)
    await ours_v1.put_many(["a", "b"], [{"n": 1}, {"n": "ü"}], collection="c")
    assert await theirs.get_many(["a", "b"], collection="c") == [{"n": 1}, {"n": "ü"}]


async def test_py_key_value_refuses_version_2_cleanly() -> None:
    from key_value.aio.errors import DecryptionError as PkvDecryptionError
    from key_value.aio.wrappers.encryption import FernetEncryptionWrapper as PkvFernetWrapper

    backing = MemoryStore()
    await FernetEncryptionWrapper(backing, FERNET).put("k", {"v": 1})
    with pytest.raises(PkvDecryptionError):
        await PkvFernetWrapper(key_value=backing, fernet=FERNET).get("k")


@pytest.mark.parametrize(
    ("material", "salt", "expected"),
    [
        ("test-source-material", "test-salt", "znx7rVYt4roVgu3ymt5sIYFmfMNGEPbm8AShXQv6CY4="),
        ("different-source-material", "test-salt", "1TLRpjxQm4Op699i9hAXFVfyz6PqPXbuvwKaWB48tS8="),
        ("test-source-material", "different-salt", "oLz_g5NoLhANNh2_-ZwbgchDZ1q23VFx90kUQDjracc="),
    ],
)
def test_password_derived_keys_match_py_key_value(material: str, salt: str, expected: str) -> None:
    assert derive_fernet_key(material, salt).decode() == expected


async def test_a_password_derived_key_is_derived_once_and_reads_py_key_value_data() -> None:
    from key_value.aio.wrappers.encryption import FernetEncryptionWrapper as PkvFernetWrapper

    backing = MemoryStore()
    theirs = PkvFernetWrapper(
        key_value=backing, source_material="test-source-material", salt="test-salt"
    )
    await theirs.put("k", {"v": 1})
    derive_fernet_key("test-source-material", "test-salt")
    hits = derive_fernet_key.cache_info().hits
    ours = FernetEncryptionWrapper(
        backing, source_material="test-source-material", salt="test-salt", accept_v1=True
    )
    also = encrypted(source_material="test-source-material", salt="test-salt")(MemoryStore)
    assert derive_fernet_key.cache_info().hits == hits + 2
    assert await ours.get("k") == {"v": 1}
    assert also is not None


# -- construction, reprs, pickling --------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({}, ValueError),
        ({"fernet": FERNET, "source_material": "pw", "salt": "s"}, ValueError),
        ({"source_material": "pw"}, ValueError),
        ({"salt": "s"}, ValueError),
        ({"source_material": "  ", "salt": "s"}, ValueError),
        ({"source_material": b"pw", "salt": "s"}, TypeError),
        ({"fernet": KEY}, TypeError),
        ({"fernet": FERNET, "envelope_version": 3}, ValueError),
        ({"fernet": FERNET, "envelope_version": True}, ValueError),
        ({"fernet": FERNET, "raise_on_decryption_error": "no"}, TypeError),
    ],
)
def test_invalid_arguments_are_refused_without_echoing_key_material(
    arguments: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        FernetEncryptionWrapper(MemoryStore(), **arguments)
    assert KEY.decode() not in str(caught.value) and "pw" not in str(caught.value)
    with pytest.raises(error):
        encrypted(**arguments)


async def test_reprs_show_no_key_material() -> None:
    store = FernetEncryptionWrapper(MemoryStore(), FERNET)
    await store.put("k", {"v": CANARY})
    shown = repr(layers(store)) + repr(store) + repr(encrypted(FERNET))
    assert KEY.decode() not in shown and CANARY not in shown
    assert (
        repr(encrypted(FERNET))
        == "encrypted(raise_on_decryption_error=True, envelope_version=2, accept_v1=None)"
    )


async def test_a_wrapped_store_pickles_with_its_cipher() -> None:
    store = FernetEncryptionWrapper(MemoryStore(), FERNET)
    await store.put("k", {"v": 1})
    assert await pickle.loads(pickle.dumps(store)).get("k") == {"v": 1}


@pytest.mark.parametrize("path", ["class", "instance"])
async def test_a_pickle_holds_the_derived_key_never_the_password(path: str) -> None:
    password, salt = "test-source-material", "test-salt"
    encrypting = encrypted(source_material=password, salt=salt)
    store = decorated_both_ways(encrypting, MemoryStore)[path]
    await store.put("k", {"v": 1})
    data = pickle.dumps(store)
    assert password.encode() not in data and salt.encode() not in data
    copy = pickle.loads(data)
    assert await copy.get("k") == {"v": 1}
    assert repr(layers(copy)) == repr(layers(store))


def test_the_same_password_and_salt_make_the_same_layer() -> None:
    same = encrypted(source_material="test-source-material", salt="test-salt")
    assert same == encrypted(source_material="test-source-material", salt="test-salt")
    assert same(MemoryStore) is encrypted(source_material="test-source-material", salt="test-salt")(
        MemoryStore
    )
    assert same != encrypted(source_material="test-source-material", salt="different-salt")
    assert encrypted(FERNET) == encrypted(FERNET) != encrypted(Fernet(KEY))


def test_the_wrappers_take_exactly_the_shared_encryption_options() -> None:
    # EncryptionOptions spells, for the wrappers' signatures, the fields every aspect shares.
    shared = [field.name for field in dataclasses.fields(EnvelopeEncryption)]
    assert list(EncryptionOptions.__annotations__) == shared
    assert set(shared) < {field.name for field in dataclasses.fields(FernetEncryption)}


async def test_another_cipher_plugs_into_the_base_wrapper() -> None:
    class Reversing:  # not a real cipher: shows the interface only
        def encrypt(self, data: bytes) -> bytes:
            return data[::-1]

        def decrypt(self, token: bytes) -> bytes:
            return token[::-1]

    inner = MemoryStore()
    store = BaseEncryptionWrapper(inner, Reversing())
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    assert (await inner.get("k"))["__encryption_version__"] == 2  # type: ignore[index]


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    value=kst.json_mappings(large=False),
    version=st.sampled_from([1, 2]),
    key=st.text(),
    collection=st.text(),
)
def test_any_json_mapping_round_trips(
    value: dict[str, Any], version: int, key: str, collection: str
) -> None:
    async def check() -> None:
        store = FernetEncryptionWrapper(MemoryStore(), FERNET, envelope_version=version)
        await store.put(key, value, collection=collection)
        assert await store.get(key, collection=collection) == value

    asyncio.run(check())


def _sample_token() -> bytes:
    """A stored token whose last base64 character has spare bits (the subtle case)."""
    for length in range(48):
        token = FERNET.encrypt(b'["default_collection","k"]\n{"v":"' + b"x" * length + b'"}')
        if base64_aliases(token):
            return token
    raise AssertionError("no token with spare bits")


SAMPLE_TOKEN = _sample_token()
END = len(SAMPLE_TOKEN) - 1


@settings(max_examples=400, deadline=None)
@given(
    # Half the changes go to the last characters, where base64 keeps its spare bits.
    position=st.integers(0, END) | st.integers(END - 3, END),
    byte=st.integers(0, 255),
)
def test_no_single_byte_change_to_a_token_decrypts_silently(position: int, byte: int) -> None:
    if SAMPLE_TOKEN[position] == byte:
        return
    changed = SAMPLE_TOKEN[:position] + bytes([byte]) + SAMPLE_TOKEN[position + 1 :]

    async def check() -> None:
        inner = MemoryStore()
        await inner.put("k", with_token({"__encryption_version__": 2}, changed))
        with pytest.raises(DecryptionError):
            await FernetEncryptionWrapper(inner, FERNET).get("k")

    asyncio.run(check())


async def test_rotation_leaves_unreadable_entries_alone_when_not_raising() -> None:
    inner = MemoryStore()
    garbage = with_token({"__encryption_version__": 2}, b"garbage")
    await inner.put("broken", garbage, collection="c")
    store = FernetEncryptionWrapper(inner, FERNET, raise_on_decryption_error=False)
    await store.put("fine", {"v": 1}, collection="c")
    assert await reencrypt_collection(store, "c") == 1
    assert await inner.get("broken", collection="c") == garbage
    with pytest.raises(DecryptionError):
        await reencrypt_collection(FernetEncryptionWrapper(inner, FERNET), "c")


@given(key=st.text(), collection=st.one_of(st.none(), st.text()))
def test_the_binding_header_is_the_compact_json_of_collection_and_key(
    key: str, collection: str | None
) -> None:
    from kvdeco.validation import collection_name
    from kvdeco.wrappers.encryption.base import _binding

    expected = json.dumps([collection_name(collection), key], separators=(",", ":")) + "\n"
    assert _binding(key, collection) == expected.encode("ascii")
