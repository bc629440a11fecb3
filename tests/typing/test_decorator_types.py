"""Static types of every decorator and wrapper class, checked by ``mypy --strict``.

Both paths are pinned: a decorated class stays ``type[ThatClass]``, a decorated instance keeps
its own type, and a decorator called with options is a ``Decorator`` of its wrapper class.
Run, the module only builds objects; the checks that matter are the type checker's.
"""

from __future__ import annotations

import logging

from cryptography.fernet import Fernet
from typing_extensions import assert_type

from kvdeco import (
    AsyncKeyValue,
    CompressionWrapper,
    Decorator,
    FallbackWrapper,
    FernetEncryptionWrapper,
    LimitSizeWrapper,
    LoggingWrapper,
    MemoryStore,
    PassthroughCacheWrapper,
    PrefixCollectionsWrapper,
    PrefixKeysWrapper,
    ReadOnlyWrapper,
    RetryWrapper,
    SingleCollectionWrapper,
    Stack,
    StatisticsWrapper,
    TimeoutWrapper,
    TTLClampWrapper,
    compressed,
    encrypted,
    layer,
    limit_size,
    logged,
    passthrough_cache,
    prefix_collections,
    prefix_keys,
    read_only,
    statistics_of,
    ttl_clamp,
    unwrap,
    with_fallback,
    with_retry,
    with_statistics,
    with_timeout,
)
from kvdeco.wrappers.concurrency_limit import (
    ConcurrencyLimitWrapper,
    ConcurrencySlots,
    limit_concurrency,
)
from kvdeco.wrappers.encryption import BaseEncryptionWrapper
from kvdeco.wrappers.statistics import CollectionStatistics, StatisticsRecorder
from kvdeco.wrappers.ttl_jitter import TTLJitterWrapper, ttl_jitter

fernet = Fernet(Fernet.generate_key())
store = MemoryStore()


# -- decorators used bare: the class path and the instance path keep their types ----------


@with_statistics
@logged
@compressed
@read_only
@with_retry
@with_timeout
@ttl_jitter
class BareStore(MemoryStore):
    """Every decorator whose options all default, used bare."""


assert_type(BareStore(), BareStore)
assert_type(with_statistics(MemoryStore), type[MemoryStore])
assert_type(with_statistics(store), MemoryStore)
assert_type(logged(store), MemoryStore)
assert_type(compressed(store), MemoryStore)
assert_type(read_only(store), MemoryStore)
assert_type(with_retry(store), MemoryStore)
assert_type(with_timeout(store), MemoryStore)
assert_type(ttl_jitter(MemoryStore), type[MemoryStore])
assert_type(ttl_jitter(store), MemoryStore)


# -- decorators called with options: a Decorator of their wrapper class --------------------

assert_type(with_retry(max_retries=3), Decorator[RetryWrapper])
assert_type(with_retry(max_retries=3)(MemoryStore), type[MemoryStore])
assert_type(with_retry(max_retries=3)(store), MemoryStore)
assert_type(logged(), Decorator[LoggingWrapper])
assert_type(logged(log_level=logging.DEBUG)(store), MemoryStore)
assert_type(logged()(MemoryStore), type[MemoryStore])
assert_type(with_statistics(), Decorator[StatisticsWrapper])
assert_type(compressed(min_size_to_compress=512), Decorator[CompressionWrapper])
assert_type(read_only(raise_on_write=False), Decorator[ReadOnlyWrapper])
assert_type(with_timeout(0.5), Decorator[TimeoutWrapper])
assert_type(with_timeout(timeout=0.5)(MemoryStore), type[MemoryStore])
assert_type(prefix_keys("app"), Decorator[PrefixKeysWrapper])
assert_type(prefix_keys("app", separator="__")(MemoryStore), type[MemoryStore])
assert_type(prefix_keys("app")(store), MemoryStore)
assert_type(prefix_collections("prod"), Decorator[PrefixCollectionsWrapper])
assert_type(prefix_collections("prod")(MemoryStore), type[MemoryStore])
assert_type(prefix_collections("prod", default_collection=None)(store), MemoryStore)
assert_type(encrypted(fernet), Decorator[FernetEncryptionWrapper])
assert_type(encrypted(fernet, envelope_version=1)(MemoryStore), type[MemoryStore])
assert_type(encrypted(source_material="pw", salt="s")(store), MemoryStore)
assert_type(limit_size(1024), Decorator[LimitSizeWrapper])
assert_type(limit_size(min_size=2)(MemoryStore), type[MemoryStore])
assert_type(limit_size(1024, raise_on_too_large=False)(store), MemoryStore)
assert_type(limit_concurrency(8), Decorator[ConcurrencyLimitWrapper])
assert_type(limit_concurrency(8, timeout=1.0)(MemoryStore), type[MemoryStore])
assert_type(limit_concurrency(8)(store), MemoryStore)
assert_type(ttl_clamp(60, 3600), Decorator[TTLClampWrapper])
assert_type(ttl_clamp(60, 3600, missing_ttl=600)(MemoryStore), type[MemoryStore])
assert_type(ttl_clamp(60, 3600)(store), MemoryStore)
assert_type(ttl_jitter(fraction=0.2), Decorator[TTLJitterWrapper])
assert_type(ttl_jitter(seed=1)(MemoryStore), type[MemoryStore])
assert_type(ttl_jitter(floor=0.5)(store), MemoryStore)
assert_type(with_fallback(MemoryStore()), Decorator[FallbackWrapper])
assert_type(passthrough_cache(MemoryStore()), Decorator[PassthroughCacheWrapper])


def rejected_options() -> None:
    """Options are the aspect's own fields: a misspelt or mistyped one is a type error.

    Never called: each line would raise. mypy's ``warn_unused_ignores`` fails the check if
    any of them stops being an error.
    """
    with_retry(max_retry=3)  # type: ignore[call-overload]
    with_timeout("soon")  # type: ignore[call-overload]
    logged(log_values="yes")  # type: ignore[call-overload]
    ttl_jitter(fractions=0.2)  # type: ignore[call-overload]
    ttl_jitter(0.2)  # type: ignore[call-overload]
    ttl_clamp(60, 3600, missing=600)  # type: ignore[call-arg]
    ttl_clamp(60, 3600, 600)  # type: ignore[call-arg]
    prefix_keys("app", sep="__")  # type: ignore[call-arg]
    prefix_keys(42)  # type: ignore[arg-type]
    prefix_collections("prod", default="users")  # type: ignore[call-arg]
    encrypted(fernet, envelope=1)  # type: ignore[call-arg]
    encrypted(b"not a Fernet")  # type: ignore[arg-type]
    limit_size(max=1024)  # type: ignore[call-arg]
    limit_size(1024, 2)  # type: ignore[call-arg]
    limit_concurrency(8, time_out=1.0)  # type: ignore[call-arg]


# -- wrapper classes, in py-key-value's positional spelling --------------------------------

assert_type(BaseEncryptionWrapper(store, fernet, accept_v1=True), BaseEncryptionWrapper)
assert_type(CompressionWrapper(store), CompressionWrapper)
assert_type(ConcurrencyLimitWrapper(store, 8), ConcurrencyLimitWrapper)
assert_type(ConcurrencyLimitWrapper(store, 8).concurrency, ConcurrencySlots)
assert_type(FernetEncryptionWrapper(store, fernet), FernetEncryptionWrapper)
assert_type(
    FernetEncryptionWrapper(store, source_material="pw", salt="s", envelope_version=1),
    FernetEncryptionWrapper,
)
assert_type(FallbackWrapper(store, MemoryStore()), FallbackWrapper)
assert_type(LimitSizeWrapper(store, 1024), LimitSizeWrapper)
assert_type(LoggingWrapper(store, logging.DEBUG), LoggingWrapper)
assert_type(PassthroughCacheWrapper(MemoryStore(), store), PassthroughCacheWrapper)
assert_type(PrefixCollectionsWrapper(store, "prod"), PrefixCollectionsWrapper)
assert_type(PrefixKeysWrapper(store, "app"), PrefixKeysWrapper)
assert_type(ReadOnlyWrapper(store), ReadOnlyWrapper)
assert_type(RetryWrapper(store, 3, 0.1), RetryWrapper)
assert_type(SingleCollectionWrapper(store, "all"), SingleCollectionWrapper)
assert_type(StatisticsWrapper(store), StatisticsWrapper)
assert_type(TimeoutWrapper(store, 1.0), TimeoutWrapper)
assert_type(TTLClampWrapper(store, 60, 3600), TTLClampWrapper)
assert_type(TTLJitterWrapper(store, 0.2, seed=1), TTLJitterWrapper)


# -- what a layer adds, typed, on both paths and through a stack ---------------------------


@with_statistics
@prefix_keys("app")
class CountedStore(MemoryStore):
    """Statistics on the class path."""


stacked = with_retry(StatisticsWrapper(prefix_keys("p")(MemoryStore())))
assert_type(layer(stacked, StatisticsWrapper), StatisticsWrapper)
assert_type(statistics_of(stacked), StatisticsRecorder)
assert_type(statistics_of(CountedStore()), StatisticsRecorder)
assert_type(statistics_of(CountedStore()).get_statistics("users"), CollectionStatistics)
assert_type(unwrap(with_statistics(store)), MemoryStore)
assert_type(unwrap(StatisticsWrapper(store)), AsyncKeyValue)


# -- a stack as a value keeps the type of what it decorates --------------------------------

production = with_statistics | with_retry(max_retries=2) | encrypted(fernet)
assert_type(production, Stack)
assert_type(production(MemoryStore), type[MemoryStore])
assert_type(production(store), MemoryStore)
assert_type(logged | production, Stack)
