"""kvdeco: add retry, timeout, logging, statistics, encryption and more to async key-value
stores, by decorating a store class or wrapping a store instance.

Example:
    >>> import asyncio
    >>> from kvdeco import MemoryStore, prefix_keys, with_statistics
    >>> store = with_statistics(prefix_keys("app")(MemoryStore()))
    >>> asyncio.run(store.put("user:1", {"name": "Ada"}))
    >>> asyncio.run(store.get("user:1"))
    {'name': 'Ada'}
"""

import importlib
import typing

from kvdeco._factory import CalledDecoratorFactory, DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.codec import ValueCodec
from kvdeco.decorating import Decorator, decorate_class
from kvdeco.errors import (
    BaseKeyValueError,
    BulkheadFullError,
    CircuitOpenError,
    CorruptedDataError,
    DecryptionError,
    DeserializationError,
    EncryptionError,
    EncryptionVersionError,
    EntryTooLargeError,
    EntryTooSmallError,
    InvalidKeyError,
    InvalidTTLError,
    KeyValueOperationError,
    KeyValueStoreError,
    ReadOnlyError,
    SerializationError,
    StoreConnectionError,
    StoreSetupError,
    StoreTimeoutError,
)
from kvdeco.keymap import KeyMapper
from kvdeco.lookup import layer, layers, statistics_of, unwrap
from kvdeco.operations import Call, Operation
from kvdeco.protocols import (
    AsyncKeyValue,
    SupportsCollections,
    SupportsCull,
    SupportsDestroy,
    SupportsDestroyCollection,
    SupportsKeys,
)
from kvdeco.stacking import Stack
from kvdeco.stores.memory import MemoryStore
from kvdeco.validation import MAX_TTL
from kvdeco.wrappers.base import AspectWrapper, BaseWrapper

# Names whose modules load on first use, so that ``import kvdeco`` does not import
# cryptography, tenacity, redis, sqlite3, gzip or OpenTelemetry for an application that never
# uses them. To add a name: list it here under its module, import it in the TYPE_CHECKING
# block below (what type checkers see), and add it to ``__all__``.
_LAZY_MODULES: dict[str, tuple[str, ...]] = {
    "kvdeco.caching": ("CachedFunction", "CacheStatistics", "cached"),
    "kvdeco.stores.adapter": ("StoreAdapter", "adapt"),
    "kvdeco.stores.disk": ("DiskStore",),
    "kvdeco.stores.redis": ("RedisStore",),
    "kvdeco.wrappers.circuit_breaker": ("CircuitBreakerWrapper", "with_circuit_breaker"),
    "kvdeco.wrappers.compression": ("CompressionWrapper", "compressed"),
    "kvdeco.wrappers.concurrency_limit": ("ConcurrencyLimitWrapper", "limit_concurrency"),
    "kvdeco.wrappers.encryption.base": (
        "BaseEncryptionWrapper",
        "UnsupportedEnvelopeVersionError",
    ),
    "kvdeco.wrappers.encryption.fernet": (
        "FernetEncryptionWrapper",
        "derive_fernet_key",
        "encrypted",
    ),
    "kvdeco.wrappers.encryption.rotation": ("reencrypt_collection",),
    "kvdeco.wrappers.fail_open": ("FailOpenWrapper", "fail_open"),
    "kvdeco.wrappers.fallback": ("FallbackWrapper", "with_fallback"),
    "kvdeco.wrappers.limit_size": ("LimitSizeWrapper", "limit_size"),
    "kvdeco.wrappers.logging": ("LoggingWrapper", "logged"),
    "kvdeco.wrappers.passthrough_cache": ("PassthroughCacheWrapper", "passthrough_cache"),
    "kvdeco.wrappers.prefix_collections": ("PrefixCollectionsWrapper", "prefix_collections"),
    "kvdeco.wrappers.prefix_keys": ("PrefixKeysWrapper", "prefix_keys"),
    "kvdeco.wrappers.read_only": ("ReadOnlyWrapper", "read_only"),
    "kvdeco.wrappers.retry": ("RetryWrapper", "with_retry"),
    "kvdeco.wrappers.single_collection": ("SingleCollectionWrapper", "single_collection"),
    "kvdeco.wrappers.statistics": ("StatisticsWrapper", "with_statistics"),
    "kvdeco.wrappers.telemetry": ("MetricsWrapper", "TracingWrapper", "metered", "traced"),
    "kvdeco.wrappers.timeout": ("OperationTimeoutError", "TimeoutWrapper", "with_timeout"),
    "kvdeco.wrappers.ttl_clamp": ("TTLClampWrapper", "ttl_clamp"),
    "kvdeco.wrappers.default_value": (
        "DefaultValueWrapper",
        "with_default",
    ),
    "kvdeco.wrappers.routing": (
        "CollectionRoutingWrapper",
        "RoutingWrapper",
        "route_collections",
        "routed",
    ),
    "kvdeco.wrappers.single_flight": (
        "SingleFlightWrapper",
        "single_flight",
    ),
    "kvdeco.wrappers.ttl_jitter": (
        "TTLJitterWrapper",
        "ttl_jitter",
    ),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}

if typing.TYPE_CHECKING:
    from kvdeco.caching import CachedFunction, CacheStatistics, cached
    from kvdeco.stores.adapter import StoreAdapter, adapt
    from kvdeco.stores.disk import DiskStore
    from kvdeco.stores.redis import RedisStore
    from kvdeco.wrappers.circuit_breaker import CircuitBreakerWrapper, with_circuit_breaker
    from kvdeco.wrappers.compression import CompressionWrapper, compressed
    from kvdeco.wrappers.concurrency_limit import ConcurrencyLimitWrapper, limit_concurrency
    from kvdeco.wrappers.default_value import DefaultValueWrapper, with_default
    from kvdeco.wrappers.encryption.base import (
        BaseEncryptionWrapper,
        UnsupportedEnvelopeVersionError,
    )
    from kvdeco.wrappers.encryption.fernet import (
        FernetEncryptionWrapper,
        derive_fernet_key,
        encrypted,
    )
    from kvdeco.wrappers.encryption.rotation import reencrypt_collection
    from kvdeco.wrappers.fail_open import FailOpenWrapper, fail_open
    from kvdeco.wrappers.fallback import FallbackWrapper, with_fallback
    from kvdeco.wrappers.limit_size import LimitSizeWrapper, limit_size
    from kvdeco.wrappers.logging import LoggingWrapper, logged
    from kvdeco.wrappers.passthrough_cache import PassthroughCacheWrapper, passthrough_cache
    from kvdeco.wrappers.prefix_collections import PrefixCollectionsWrapper, prefix_collections
    from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper, prefix_keys
    from kvdeco.wrappers.read_only import ReadOnlyWrapper, read_only
    from kvdeco.wrappers.retry import RetryWrapper, with_retry
    from kvdeco.wrappers.routing import (
        CollectionRoutingWrapper,
        RoutingWrapper,
        route_collections,
        routed,
    )
    from kvdeco.wrappers.single_collection import SingleCollectionWrapper, single_collection
    from kvdeco.wrappers.single_flight import SingleFlightWrapper, single_flight
    from kvdeco.wrappers.statistics import StatisticsWrapper, with_statistics
    from kvdeco.wrappers.telemetry import MetricsWrapper, TracingWrapper, metered, traced
    from kvdeco.wrappers.timeout import OperationTimeoutError, TimeoutWrapper, with_timeout
    from kvdeco.wrappers.ttl_clamp import TTLClampWrapper, ttl_clamp
    from kvdeco.wrappers.ttl_jitter import TTLJitterWrapper, ttl_jitter


def __getattr__(name: str) -> typing.Any:
    """Import a lazily loaded name's module on first use, and keep the name."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kvdeco' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "Aspect",
    "AspectWrapper",
    "AsyncKeyValue",
    "BaseEncryptionWrapper",
    "BaseKeyValueError",
    "BaseWrapper",
    "BulkheadFullError",
    "CacheStatistics",
    "CachedFunction",
    "Call",
    "CalledDecoratorFactory",
    "CircuitBreakerWrapper",
    "CircuitOpenError",
    "CollectionRoutingWrapper",
    "CompressionWrapper",
    "ConcurrencyLimitWrapper",
    "CorruptedDataError",
    "Decorator",
    "DecoratorFactory",
    "DecryptionError",
    "DefaultValueWrapper",
    "DeserializationError",
    "DiskStore",
    "EncryptionError",
    "EncryptionVersionError",
    "EntryTooLargeError",
    "EntryTooSmallError",
    "FailOpenWrapper",
    "FallbackWrapper",
    "FernetEncryptionWrapper",
    "InvalidKeyError",
    "InvalidTTLError",
    "KeyMapper",
    "KeyValueOperationError",
    "KeyValueStoreError",
    "LimitSizeWrapper",
    "LoggingWrapper",
    "MAX_TTL",
    "MemoryStore",
    "MetricsWrapper",
    "Operation",
    "OperationTimeoutError",
    "PassthroughCacheWrapper",
    "PrefixCollectionsWrapper",
    "PrefixKeysWrapper",
    "ReadOnlyError",
    "ReadOnlyWrapper",
    "RedisStore",
    "RetryWrapper",
    "RoutingWrapper",
    "SerializationError",
    "SingleCollectionWrapper",
    "SingleFlightWrapper",
    "Stack",
    "StatisticsWrapper",
    "StoreAdapter",
    "StoreConnectionError",
    "StoreSetupError",
    "StoreTimeoutError",
    "SupportsCollections",
    "SupportsCull",
    "SupportsDestroy",
    "SupportsDestroyCollection",
    "SupportsKeys",
    "TTLClampWrapper",
    "TTLJitterWrapper",
    "TimeoutWrapper",
    "TracingWrapper",
    "UnsupportedEnvelopeVersionError",
    "ValueCodec",
    "adapt",
    "cached",
    "compressed",
    "decorate_class",
    "derive_fernet_key",
    "encrypted",
    "fail_open",
    "layer",
    "layers",
    "limit_concurrency",
    "limit_size",
    "logged",
    "metered",
    "passthrough_cache",
    "prefix_collections",
    "prefix_keys",
    "read_only",
    "reencrypt_collection",
    "route_collections",
    "routed",
    "single_collection",
    "single_flight",
    "statistics_of",
    "traced",
    "ttl_clamp",
    "ttl_jitter",
    "unwrap",
    "with_circuit_breaker",
    "with_default",
    "with_fallback",
    "with_retry",
    "with_statistics",
    "with_timeout",
]
