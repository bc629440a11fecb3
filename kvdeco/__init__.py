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

from kvdeco.aspect import Aspect
from kvdeco.caching import CachedFunction, CacheStatistics, cached
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
from kvdeco.lookup import layer, statistics_of
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
from kvdeco.stores.adapter import StoreAdapter, adapt
from kvdeco.stores.disk import DiskStore
from kvdeco.stores.memory import MemoryStore
from kvdeco.stores.redis import RedisStore
from kvdeco.validation import MAX_TTL
from kvdeco.wrappers.base import AspectWrapper, BaseWrapper
from kvdeco.wrappers.circuit_breaker import CircuitBreakerWrapper, with_circuit_breaker
from kvdeco.wrappers.compression import CompressionWrapper, compressed
from kvdeco.wrappers.concurrency_limit import ConcurrencyLimitWrapper, limit_concurrency
from kvdeco.wrappers.default_value import DefaultValueWrapper, with_default
from kvdeco.wrappers.encryption.base import BaseEncryptionWrapper, UnsupportedEnvelopeVersionError
from kvdeco.wrappers.encryption.fernet import FernetEncryptionWrapper, derive_fernet_key, encrypted
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
