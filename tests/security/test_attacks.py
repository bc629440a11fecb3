"""Attacks by someone who can write to the backend: what the encoded formats let through.

The attacker edits, moves and replays the stored envelopes directly in the inner store, or
plants a compressed value that inflates to far more than it weighs. The reader behind
encryption or compression must refuse, with a kvdeco error whose traceback shows no value.
A secret put through the production stack of the specification never shows up in a log line,
an error or a repr, nor in clear in the store.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import logging
import math
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from cryptography.fernet import Fernet, MultiFernet
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from kvdeco import (
    CompressionWrapper,
    DecryptionError,
    DeserializationError,
    FernetEncryptionWrapper,
    InvalidTTLError,
    LoggingWrapper,
    MemoryStore,
    OperationTimeoutError,
    PrefixKeysWrapper,
    RetryWrapper,
    SerializationError,
    StatisticsWrapper,
    TimeoutWrapper,
    UnsupportedEnvelopeVersionError,
    layers,
    reencrypt_collection,
)
from kvdeco.operations import OPERATIONS, Call
from kvdeco.testing import FlakyStore
from kvdeco.validation import DEFAULT_COLLECTION
from tests.security.canary import CANARY, rendered

DATA = "__encrypted_data__"
KEY = Fernet.generate_key()
FERNET = Fernet(KEY)
STANDARD_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


async def encrypted_entry(
    pad: int = 0, *, key: str = "k", collection: str = "c"
) -> tuple[MemoryStore, FernetEncryptionWrapper, dict[str, Any]]:
    """A store holding one encrypted secret, its encrypting wrapper and the raw envelope."""
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, fernet=FERNET)
    await store.put(key, {"secret": CANARY, "pad": "x" * pad}, collection=collection)
    envelope = await inner.get(key, collection=collection)
    assert envelope is not None and CANARY not in json.dumps(envelope)
    return inner, store, envelope


async def assert_refused(store: Any, key: str = "k", collection: str | None = "c") -> None:
    with pytest.raises(DecryptionError) as refused:
        await store.get(key, collection=collection)
    assert CANARY not in rendered(refused.value)


def edit(text: str, position: int, change: str, char: str) -> str:
    """``text`` with one character replaced, inserted or deleted at ``position``."""
    if change == "replace":
        return text[:position] + char + text[position + 1 :]
    if change == "insert":
        return text[:position] + char + text[position:]
    return text[:position] + text[position + 1 :]


edits = st.tuples(
    st.sampled_from(["replace", "insert", "delete"]),
    st.sampled_from(STANDARD_B64 + "-_ .\n\x00é"),
)

# -- tampering ---------------------------------------------------------------------------


def in_envelope(payload: str, position: float, change: tuple[str, str]) -> str:
    """Edit the envelope's data text itself."""
    return edit(payload, int(position * (len(payload) - 1)), *change)


def in_token(payload: str, position: float, change: tuple[str, str]) -> str:
    """Edit the Fernet token inside, keeping the envelope's own base64 canonical."""
    token = base64.b64decode(payload).decode("latin-1")
    tampered = edit(token, int(position * (len(token) - 1)), *change)
    return base64.b64encode(tampered.encode("latin-1")).decode("ascii")


@pytest.mark.parametrize("layer", [in_envelope, in_token], ids=["envelope", "fernet_token"])
@settings(max_examples=300, deadline=None)
@given(pad=st.integers(0, 5), where=st.floats(0, 1), change=edits)
async def test_any_edit_of_a_stored_envelope_or_its_token_is_a_decryption_error(
    layer: Callable[[str, float, tuple[str, str]], str],
    pad: int,
    where: float,
    change: tuple[str, str],
) -> None:
    inner, store, envelope = await encrypted_entry(pad)
    tampered = layer(envelope[DATA], where, change)
    assume(tampered != envelope[DATA])
    await inner.put("k", {**envelope, DATA: tampered}, collection="c")
    await assert_refused(store)


@pytest.mark.parametrize("pad", [0, 1, 2])
async def test_every_other_spelling_of_the_last_base64_character_is_refused(pad: int) -> None:
    # Base64 leaves spare bits in its last character; decoders ignore them, so without a
    # canonical check several spellings of the data decode to the same valid token.
    inner, store, envelope = await encrypted_entry(pad)
    payload = envelope[DATA]
    body = payload.rstrip("=")
    for char in STANDARD_B64[:64]:
        if char != body[-1]:
            tampered = body[:-1] + char + payload[len(body) :]
            await inner.put("k", {**envelope, DATA: tampered}, collection="c")
            await assert_refused(store)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
async def test_any_flipped_bit_of_the_ciphertext_is_a_decryption_error(data: st.DataObject) -> None:
    inner, store, envelope = await encrypted_entry()
    raw = bytearray(base64.urlsafe_b64decode(base64.b64decode(envelope[DATA])))
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    token = base64.urlsafe_b64encode(bytes(raw))
    await inner.put("k", {**envelope, DATA: base64.b64encode(token).decode()}, collection="c")
    await assert_refused(store)


@pytest.mark.parametrize("version", [None, "2", 3, 0, True])
async def test_an_envelope_of_an_unknown_version_is_refused(version: Any) -> None:
    inner, store, envelope = await encrypted_entry()
    await inner.put("k", {**envelope, "__encryption_version__": version}, collection="c")
    await assert_refused(store)


# -- moving and replaying ----------------------------------------------------------------

places = st.tuples(
    st.sampled_from(["a", "b", "a:b", "b:c", "", '"', "\n"]),
    st.sampled_from([None, "", DEFAULT_COLLECTION, "a", "a:b", "c", '"']),
)


def same_place(first: tuple[str, str | None], second: tuple[str, str | None]) -> bool:
    return first[0] == second[0] and (first[1] or DEFAULT_COLLECTION) == (
        second[1] or DEFAULT_COLLECTION
    )


@settings(max_examples=200, deadline=None)
@given(source=places, target=places)
async def test_an_envelope_copied_to_another_key_or_collection_does_not_decrypt_there(
    source: tuple[str, str | None], target: tuple[str, str | None]
) -> None:
    assume(not same_place(source, target))
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, fernet=FERNET)
    await store.put(source[0], {"secret": CANARY}, collection=source[1])
    await store.put(target[0], {"secret": "the target's own"}, collection=target[1])
    await inner.put(
        target[0], await inner.get(source[0], collection=source[1]), collection=target[1]
    )
    await assert_refused(store, target[0], target[1])


async def test_an_envelope_copied_from_a_store_with_another_key_does_not_decrypt() -> None:
    theirs = MemoryStore()
    await FernetEncryptionWrapper(theirs, fernet=Fernet(Fernet.generate_key())).put(
        "k", {"secret": CANARY}, collection="c"
    )
    inner, store, _ = await encrypted_entry()
    await inner.put("k", await theirs.get("k", collection="c"), collection="c")
    await assert_refused(store)


async def test_version_1_envelopes_cannot_tell_that_they_were_moved() -> None:
    # py-key-value's format binds nothing: documented as the price of compatibility.
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, fernet=FERNET, envelope_version=1)
    await store.put("alice", {"role": "admin"})
    await store.put("mallory", {"role": "guest"})
    await inner.put("mallory", await inner.get("alice"))
    assert await store.get("mallory") == {"role": "admin"}


async def test_a_version_2_store_refuses_a_planted_version_1_envelope() -> None:
    # A downgrade: the attacker holds a version 1 envelope of the same key (from a backup, or
    # from before the store moved to version 2) and plants it under the key of their choice.
    inner = MemoryStore()
    old = FernetEncryptionWrapper(inner, fernet=FERNET, envelope_version=1)
    await old.put("alice", {"role": "admin", "secret": CANARY})
    store = FernetEncryptionWrapper(inner, fernet=FERNET)
    await store.put("mallory", {"role": "guest"})
    await inner.put("mallory", await inner.get("alice"))
    with pytest.raises(UnsupportedEnvelopeVersionError) as refused:
        await store.get("mallory")
    assert CANARY not in rendered(refused.value)
    lenient = FernetEncryptionWrapper(inner, fernet=FERNET, raise_on_decryption_error=False)
    assert await lenient.get("mallory") is None


async def test_migrating_from_version_1_then_reading_strictly_retires_old_envelopes() -> None:
    inner = MemoryStore()
    keys = ["alice", "bob"]
    await FernetEncryptionWrapper(inner, fernet=FERNET, envelope_version=1).put_many(
        keys, [{"role": "admin"}, {"role": "guest"}], collection="users"
    )
    backup = await inner.get("alice", collection="users")
    # Read both, re-encrypt, then read strictly (the default of a version 2 store).
    migrating = FernetEncryptionWrapper(inner, fernet=FERNET, accept_v1=True)
    assert await reencrypt_collection(migrating, "users") == 2
    strict = FernetEncryptionWrapper(inner, fernet=FERNET)
    assert await strict.get_many(keys, collection="users") == [{"role": "admin"}, {"role": "guest"}]
    await inner.put("bob", backup, collection="users")  # the old envelope, planted over bob
    with pytest.raises(DecryptionError):
        await strict.get("bob", collection="users")


async def test_an_older_envelope_of_the_same_key_replays_and_its_ttl_is_not_bound() -> None:
    # Documented, not a promise: an envelope binds its place, not its time or its expiry.
    inner = MemoryStore()
    store = FernetEncryptionWrapper(inner, fernet=FERNET)
    await store.put("grant", {"role": "admin"}, ttl=60)
    old = await inner.get("grant")
    await store.put("grant", {"role": "guest"})
    await inner.put("grant", old)  # put back without its expiry
    assert await store.ttl("grant") == ({"role": "admin"}, None)


# -- tenants behind a prefix ---------------------------------------------------------------


async def test_encryption_below_the_prefix_binds_each_envelope_to_its_tenant() -> None:
    # The recommended order: encryption sees the key as stored, "a:k" and "b:k".
    inner = MemoryStore()
    encrypted_store = FernetEncryptionWrapper(inner, fernet=FERNET)
    tenant_a = PrefixKeysWrapper(encrypted_store, prefix="a")
    tenant_b = PrefixKeysWrapper(encrypted_store, prefix="b")
    await tenant_a.put("profile", {"secret": CANARY})
    await tenant_b.put("profile", {"secret": "b's own"})
    await inner.put("b:profile", await inner.get("a:profile"))
    with pytest.raises(DecryptionError) as refused:
        await tenant_b.get("profile")
    assert CANARY not in rendered(refused.value)


async def test_encryption_above_the_prefix_needs_a_key_per_tenant() -> None:
    # Above the prefix, encryption binds the key the tenant sees, "profile" in both tenants.
    inner = MemoryStore()
    shared_a = FernetEncryptionWrapper(PrefixKeysWrapper(inner, prefix="a"), fernet=FERNET)
    shared_b = FernetEncryptionWrapper(PrefixKeysWrapper(inner, prefix="b"), fernet=FERNET)
    await shared_a.put("profile", {"secret": CANARY})
    await inner.put("b:profile", await inner.get("a:profile"))
    assert await shared_b.get("profile") == {"secret": CANARY}  # the documented hole
    own_key = Fernet(Fernet.generate_key())
    separate_b = FernetEncryptionWrapper(PrefixKeysWrapper(inner, prefix="b"), fernet=own_key)
    with pytest.raises(DecryptionError):
        await separate_b.get("profile")


# -- key rotation ------------------------------------------------------------------------


async def test_rotating_to_a_new_key_and_reencrypting_retires_the_old_key() -> None:
    old, new = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())
    inner = MemoryStore()
    keys = [f"user{n}" for n in range(250)]
    values = [{"n": n, "secret": CANARY} for n in range(250)]
    await FernetEncryptionWrapper(inner, fernet=old).put_many(keys, values, collection="users")
    await FernetEncryptionWrapper(inner, fernet=old).put(
        "expiring", {"n": -1}, collection="users", ttl=600
    )
    before = await inner.get_many(keys, collection="users")

    rotating = FernetEncryptionWrapper(inner, fernet=MultiFernet([new, old]))
    assert await rotating.get_many(keys, collection="users") == values  # both keys read
    assert await reencrypt_collection(rotating, "users", batch_size=100) == 251

    after = await inner.get_many(keys, collection="users")
    assert all(a != b for a, b in zip(after, before))  # every envelope was rewritten
    new_only = FernetEncryptionWrapper(inner, fernet=new)
    assert await new_only.get_many(keys, collection="users") == values
    value, remaining = await new_only.ttl("expiring", collection="users")
    assert value == {"n": -1} and remaining is not None and 598 < remaining <= 601
    await assert_refused(FernetEncryptionWrapper(inner, fernet=old), "user0", "users")


# -- decompression bombs -----------------------------------------------------------------


def compressed_envelope(text: bytes) -> dict[str, Any]:
    return {
        "__compressed_data__": binascii.b2a_base64(gzip.compress(text, 9), newline=False).decode(),
        "__compression_version__": 1,
        "__compression_algorithm__": "gzip",
    }


async def test_a_compression_bomb_planted_in_clear_under_encryption_is_refused() -> None:
    # Encryption passes values without its marker through (so that a store can be encrypted
    # gradually): a bomb needs no key to reach the compression layer above it.
    limit = 1 << 20
    inner = MemoryStore()
    await inner.put("bomb", compressed_envelope(b'{"z":"' + b"0" * (16 * limit) + b'"}'))
    store = CompressionWrapper(
        FernetEncryptionWrapper(inner, fernet=FERNET), max_decompressed_size=limit
    )
    tracemalloc.start()
    try:
        with pytest.raises(DeserializationError, match="max_decompressed_size"):
            await store.get("bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * limit  # the refusal costs about the limit, not the 16 MiB


async def test_a_plain_value_planted_under_encryption_is_read_as_it_is() -> None:
    # Documented, not a promise: encryption protects values written through it, and cannot
    # tell a planted plain value from one stored before encryption was turned on.
    inner = MemoryStore()
    await inner.put("role", {"admin": True})
    assert await FernetEncryptionWrapper(inner, fernet=FERNET).get("role") == {"admin": True}


# -- the canary across the production stack ----------------------------------------------


@pytest.fixture
def fresh_structlog() -> Iterator[None]:
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


def production_stack(inner: Any) -> Any:
    """The specification's "Production Ready" stack, logged at DEBUG on top."""
    return LoggingWrapper(
        StatisticsWrapper(
            RetryWrapper(
                TimeoutWrapper(
                    CompressionWrapper(
                        FernetEncryptionWrapper(inner, fernet=FERNET), min_size_to_compress=64
                    ),
                    timeout=0.2,
                ),
                max_retries=1,
                initial_delay=0,
            )
        ),
        logging.DEBUG,
    )


async def a_bad_day(inner: MemoryStore) -> list[BaseException]:
    """Every kind of call and failure through the stack; returns what was raised."""
    store = production_stack(inner)
    small, large = {"secret": CANARY}, {"secret": CANARY, "pad": "x" * 500}
    await store.put("small", small, collection="c", ttl=60)
    await store.put_many(["large", "other"], [large, small], collection="c")
    assert await store.get("small", collection="c") == small
    assert await store.get_many(["large", "missing"], collection="c") == [large, None]
    assert (await store.ttl("large", collection="c"))[0] == large
    assert await store.delete("other", collection="c")
    raised: list[BaseException] = []
    envelope = await inner.get("small", collection="c")
    assert envelope is not None
    await inner.put("tampered", {**envelope, DATA: envelope[DATA][:-8]}, collection="c")
    failing = [
        (SerializationError, store.put("bad", {"secret": CANARY, "set": {1}}, collection="c")),
        (InvalidTTLError, store.put("bad", small, collection="c", ttl=-1)),
        (DecryptionError, store.get("tampered", collection="c")),
        (
            OperationTimeoutError,
            production_stack(FlakyStore.failing(MemoryStore(), math.inf)).get("k"),
        ),
    ]
    for expected, call in failing:
        with pytest.raises(expected) as error:
            await call
        raised.append(error.value)
    return raised


def reprs(store: Any) -> str:
    call = Call(OPERATIONS["put_many"], ["k"], "c", [{"secret": CANARY}], 60)
    shown = [repr(store), repr(call), repr(store.get_statistics())]
    shown += [repr(aspect) for aspect in layers(store)]
    return "\n".join(shown)


async def test_the_canary_never_reaches_structlog_errors_reprs_or_the_backend(
    fresh_structlog: None,
) -> None:
    inner = MemoryStore()
    with capture_logs() as events:
        raised = await a_bad_day(inner)
    assert len(events) >= 10
    assert CANARY not in repr(events)
    for error in raised:
        assert CANARY not in rendered(error)
    shown = reprs(production_stack(inner))
    assert CANARY not in shown and KEY.decode() not in shown
    stored = {c: await inner.get_many(await inner.keys(c), collection=c) for c in ["c"]}
    assert CANARY not in json.dumps(stored)  # encrypted at rest


async def test_the_canary_never_reaches_the_standard_logging_records(
    fresh_structlog: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raised = await a_bad_day(MemoryStore())
    records = [r for r in caplog.records if r.name == "kvdeco"]
    assert len(records) >= 10
    for record in records:
        assert CANARY not in record.getMessage()
        assert CANARY not in repr(vars(record))  # the structured fields ride along
    assert CANARY not in caplog.text
    assert all(CANARY not in rendered(error) for error in raised)
