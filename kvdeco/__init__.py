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

import importlib as _importlib
import typing as _typing

from kvdeco.aspect import Aspect
from kvdeco.codec import ValueCodec
from kvdeco.decorating import Decorator, decorate_class, layers, unwrap
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
from kvdeco.operations import Call, Operation
from kvdeco.protocols import (
    AsyncKeyValue,
    SupportsCollections,
    SupportsCull,
    SupportsDestroy,
    SupportsDestroyCollection,
    SupportsKeys,
)
from kvdeco.stores.adapter import StoreAdapter, adapt
from kvdeco.stores.memory import MemoryStore
from kvdeco.validation import MAX_TTL
from kvdeco.wrappers.base import AspectWrapper, BaseWrapper

# The rest loads on first use (module ``__getattr__`` below), so that ``import kvdeco`` does not
# pay for cryptography, tenacity, structlog, redis, sqlite3 or zlib when a program uses none of
# them. To add a public name from such a module: a line in ``_LAZY``, its name in ``__all__``
# and its import in the ``TYPE_CHECKING`` block, which is what type checkers read (a test keeps
# the table and the block equal).
_LAZY: dict[str, str] = {
    "BaseEncryptionWrapper": "kvdeco.wrappers.encryption.base",
    "CacheStatistics": "kvdeco.caching",
    "CachedFunction": "kvdeco.caching",
    "CircuitBreakerWrapper": "kvdeco.wrappers.circuit_breaker",
    "CollectionRoutingWrapper": "kvdeco.wrappers.routing",
    "CompressionWrapper": "kvdeco.wrappers.compression",
    "ConcurrencyLimitWrapper": "kvdeco.wrappers.concurrency_limit",
    "DefaultValueWrapper": "kvdeco.wrappers.default_value",
    "DiskStore": "kvdeco.stores.disk",
    "FailOpenWrapper": "kvdeco.wrappers.fail_open",
    "FallbackWrapper": "kvdeco.wrappers.fallback",
    "FernetEncryptionWrapper": "kvdeco.wrappers.encryption.fernet",
    "LimitSizeWrapper": "kvdeco.wrappers.limit_size",
    "LoggingWrapper": "kvdeco.wrappers.logging",
    "MetricsWrapper": "kvdeco.wrappers.telemetry",
    "OperationTimeoutError": "kvdeco.wrappers.timeout",
    "PassthroughCacheWrapper": "kvdeco.wrappers.passthrough_cache",
    "PrefixCollectionsWrapper": "kvdeco.wrappers.prefix_collections",
    "PrefixKeysWrapper": "kvdeco.wrappers.prefix_keys",
    "ReadOnlyWrapper": "kvdeco.wrappers.read_only",
    "RedisStore": "kvdeco.stores.redis",
    "RetryWrapper": "kvdeco.wrappers.retry",
    "RoutingWrapper": "kvdeco.wrappers.routing",
    "SingleCollectionWrapper": "kvdeco.wrappers.single_collection",
    "SingleFlightWrapper": "kvdeco.wrappers.single_flight",
    "StatisticsWrapper": "kvdeco.wrappers.statistics",
    "TTLClampWrapper": "kvdeco.wrappers.ttl_clamp",
    "TTLJitterWrapper": "kvdeco.wrappers.ttl_jitter",
    "TimeoutWrapper": "kvdeco.wrappers.timeout",
    "TracingWrapper": "kvdeco.wrappers.telemetry",
    "UnsupportedEnvelopeVersionError": "kvdeco.wrappers.encryption.base",
    "cached": "kvdeco.caching",
    "compressed": "kvdeco.wrappers.compression",
    "derive_fernet_key": "kvdeco.wrappers.encryption.fernet",
    "encrypted": "kvdeco.wrappers.encryption.fernet",
    "fail_open": "kvdeco.wrappers.fail_open",
    "limit_concurrency": "kvdeco.wrappers.concurrency_limit",
    "limit_size": "kvdeco.wrappers.limit_size",
    "logged": "kvdeco.wrappers.logging",
    "metered": "kvdeco.wrappers.telemetry",
    "passthrough_cache": "kvdeco.wrappers.passthrough_cache",
    "prefix_collections": "kvdeco.wrappers.prefix_collections",
    "prefix_keys": "kvdeco.wrappers.prefix_keys",
    "read_only": "kvdeco.wrappers.read_only",
    "reencrypt_collection": "kvdeco.wrappers.encryption.rotation",
    "route_collections": "kvdeco.wrappers.routing",
    "routed": "kvdeco.wrappers.routing",
    "single_collection": "kvdeco.wrappers.single_collection",
    "single_flight": "kvdeco.wrappers.single_flight",
    "traced": "kvdeco.wrappers.telemetry",
    "ttl_clamp": "kvdeco.wrappers.ttl_clamp",
    "ttl_jitter": "kvdeco.wrappers.ttl_jitter",
    "with_circuit_breaker": "kvdeco.wrappers.circuit_breaker",
    "with_default": "kvdeco.wrappers.default_value",
    "with_fallback": "kvdeco.wrappers.fallback",
    "with_retry": "kvdeco.wrappers.retry",
    "with_statistics": "kvdeco.wrappers.statistics",
    "with_timeout": "kvdeco.wrappers.timeout",
}
"""Public names loaded on first use, and the module each comes from."""

if _typing.TYPE_CHECKING:
    from kvdeco.caching import CachedFunction, CacheStatistics, cached
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
    "CircuitBreakerWrapper",
    "CircuitOpenError",
    "CollectionRoutingWrapper",
    "CompressionWrapper",
    "ConcurrencyLimitWrapper",
    "CorruptedDataError",
    "Decorator",
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


if not _typing.TYPE_CHECKING:
    # Hidden from type checkers: a module ``__getattr__`` would make every misspelt name valid.

    def __getattr__(name: str) -> object:
        """Import a lazily loaded public name on first use, then keep it as a module global."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(module), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_LAZY))
