"""kvdeco's own wrappers obey the kit's laws, on the class path and on the instance path.

The transparency law runs the whole model check through each value-preserving wrapper; the
wrapper-specific laws check what each kind promises beyond that.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet

from kvdeco import (
    CompressionWrapper,
    FallbackWrapper,
    FernetEncryptionWrapper,
    InvalidKeyError,
    LimitSizeWrapper,
    LoggingWrapper,
    MemoryStore,
    PassthroughCacheWrapper,
    ReadOnlyWrapper,
    RetryWrapper,
    TimeoutWrapper,
    TTLClampWrapper,
    compressed,
    encrypted,
    limit_size,
    logged,
    prefix_collections,
    single_collection,
    single_flight,
    ttl_clamp,
    with_retry,
    with_statistics,
    with_timeout,
)
from kvdeco.testing import ContractViolation, laws
from tests.testing.conftest import violation_found

FERNET = Fernet(Fernet.generate_key())

# Each decorator applied to a whole MemoryStore: the class path and the instance path.
VALUE_PRESERVING = {
    "retry": with_retry(initial_delay=0),
    "timeout": with_timeout(5.0),
    "logging": logged(log_level=logging.DEBUG),
    "compression": compressed(),
    "encryption": encrypted(FERNET),
    "limit_size": limit_size(1_000_000),
    "statistics": with_statistics(),
    "single_flight": single_flight(),
    "prefix_collections": prefix_collections("tenant"),
    "compression_over_encryption": lambda target: compressed()(encrypted(FERNET)(target)),
}


def _class_path(decorator: Any, **options: Any) -> Any:
    return laws.transparency_machine(lambda c: decorator(MemoryStore)(clock=c), **options)


def _instance_path(decorator: Any, **options: Any) -> Any:
    return laws.transparency_machine(lambda c: decorator(MemoryStore(clock=c)), **options)


@pytest.mark.parametrize("path", [_class_path, _instance_path], ids=["class", "instance"])
@pytest.mark.parametrize("name", sorted(VALUE_PRESERVING))
def test_value_preserving_wrappers_behave_like_the_model(name: str, path: Any) -> None:
    path(VALUE_PRESERVING[name]).TestCase("runTest").runTest()


@pytest.mark.parametrize("path", ["class", "instance"])
def test_single_collection_keeps_collections_apart_like_the_model(path: str) -> None:
    decorator = single_collection("shared")
    if path == "class":
        machine = laws.transparency_machine(lambda c: decorator(MemoryStore)(clock=c))
    else:
        machine = laws.transparency_machine(lambda c: decorator(MemoryStore(clock=c)))
    machine.TestCase("runTest").runTest()


@pytest.mark.parametrize("path", ["class", "instance"])
def test_ttl_clamp_stack_reads_back_clamped_ttls(path: str) -> None:
    # Through the transparency machine only TTLs already inside the bounds are written.
    from hypothesis import strategies as st

    decorator = ttl_clamp(1, 10_000)
    ttls = st.one_of(st.none(), st.integers(1, 1000))
    if path == "class":
        machine = laws.transparency_machine(lambda c: decorator(MemoryStore)(clock=c), ttls=ttls)
    else:
        machine = laws.transparency_machine(lambda c: decorator(MemoryStore(clock=c)), ttls=ttls)
    machine.TestCase("runTest").runTest()


# The isolation law of the view wrappers runs with each wrapper's own tests
# (tests/wrappers/test_prefix_collections.py, test_single_collection.py, test_prefix_keys.py).

# -- read-only, TTL clamp ---------------------------------------------------------------------

TestReadOnlyRaises = laws.read_only_machine(ReadOnlyWrapper, raises=True).TestCase

TestReadOnlyIgnoresWrites = laws.read_only_machine(
    lambda store: ReadOnlyWrapper(store, raise_on_write=False), raises=False
).TestCase

TestTTLClampBoundsEveryTTL = laws.ttl_clamp_machine(
    lambda store: TTLClampWrapper(store, 60, 3600), min_ttl=60, max_ttl=3600
).TestCase

TestTTLClampGivesMissingTTLs = laws.ttl_clamp_machine(
    lambda store: TTLClampWrapper(store, 1, 100, missing_ttl=50),
    min_ttl=1,
    max_ttl=100,
    missing_ttl=50,
).TestCase

# -- encryption, compression ------------------------------------------------------------------

TestEncryptionIsOpaqueAndSealed = laws.encryption_machine(
    lambda store: FernetEncryptionWrapper(store, fernet=FERNET), raise_on_error=True
).TestCase

TestEncryptionThatReadsAsMissing = laws.encryption_machine(
    lambda store: FernetEncryptionWrapper(store, fernet=FERNET, raise_on_decryption_error=False),
    raise_on_error=False,
).TestCase


def test_py_key_value_envelopes_cannot_tell_a_moved_envelope() -> None:
    # Version 1 is py-key-value's format: nothing in it names the key, so a moved envelope
    # decrypts. The law reports it; version 2 (the default) is what closes the gap.
    message, program = violation_found(
        laws.encryption_machine(
            lambda store: FernetEncryptionWrapper(store, fernet=FERNET, envelope_version=1)
        )
    )
    assert "decrypted silently" in message
    assert "state.move(" in program


async def test_encryption_refuses_a_non_string_key_with_invalid_key_error() -> None:
    store = FernetEncryptionWrapper(MemoryStore(), fernet=FERNET)
    with pytest.raises(InvalidKeyError):
        await store.put(b"bytes", {"v": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        await store.put("k", {"v": 1}, collection=7)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        await store.put_many(["k"], [{"v": 1}], collection=7)  # type: ignore[arg-type]


TestCompressionRoundTrips = laws.compression_machine(CompressionWrapper).TestCase

# -- retry, fallback ---------------------------------------------------------------------------

TestRetryUnderFaults = laws.retry_machine(
    lambda store: RetryWrapper(store, max_retries=2, initial_delay=0), max_retries=2
).TestCase

TestRetryOfEveryErrorStillRaisesCallErrorsAtOnce = laws.retry_machine(
    lambda store: RetryWrapper(store, max_retries=2, initial_delay=0, retry_on=(Exception,)),
    max_retries=2,
    retry_on=(Exception,),
).TestCase

TestPassthroughCacheIsCoherent = laws.passthrough_cache_machine(
    lambda store, cache: PassthroughCacheWrapper(cache=cache, store=store)
).TestCase

TestPassthroughCacheWithoutExpiryOfItsCopiesIsCoherent = laws.passthrough_cache_machine(
    lambda store, cache: PassthroughCacheWrapper(cache=cache, store=store, missing_ttl=None)
).TestCase

# min_size stays at 8, the size of the value the invalid calls write: with a larger one a put
# of an invalid key raises EntryTooSmallError before InvalidKeyError.
TestLimitSizeRaisesOutsideTheBounds = laws.limit_size_machine(
    lambda store: LimitSizeWrapper(store, max_size=64, min_size=8), max_size=64, min_size=8
).TestCase

TestLimitSizeSkipsOutsideTheBounds = laws.limit_size_machine(
    lambda store: LimitSizeWrapper(
        store, max_size=64, raise_on_too_large=False, raise_on_too_small=False
    ),
    max_size=64,
    raises=False,
).TestCase

TestLoggingLogsEveryOperationWithoutValues = laws.logging_machine(
    lambda store, logger: LoggingWrapper(store, logger=logger, log_level=logging.DEBUG)
).TestCase

TestTimeoutBoundsEveryOperation = laws.timeout_machine(
    lambda store: TimeoutWrapper(store, timeout=0.005), timeout=0.005
).TestCase

TestFallbackUnderAnOutage = laws.fallback_machine(
    lambda primary, fallback: FallbackWrapper(primary=primary, fallback=fallback)
).TestCase


def test_the_laws_report_through_contract_violations() -> None:
    assert issubclass(ContractViolation, AssertionError)
