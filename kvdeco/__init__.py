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
from kvdeco.codec import ValueCodec
from kvdeco.decorating import Decorator, decorate_class, layers, unwrap
from kvdeco.errors import (
    BaseKeyValueError,
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
from kvdeco.stores.memory import MemoryStore
from kvdeco.wrappers.base import AspectWrapper, BaseWrapper
from kvdeco.wrappers.fallback import FallbackWrapper, with_fallback
from kvdeco.wrappers.logging import LoggingWrapper, logged
from kvdeco.wrappers.passthrough_cache import PassthroughCacheWrapper, passthrough_cache
from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper, prefix_keys
from kvdeco.wrappers.retry import RetryWrapper, with_retry
from kvdeco.wrappers.statistics import StatisticsWrapper, with_statistics
from kvdeco.wrappers.timeout import OperationTimeoutError, TimeoutWrapper, with_timeout

__version__ = "0.1.0"

__all__ = [
    "Aspect",
    "AspectWrapper",
    "AsyncKeyValue",
    "BaseKeyValueError",
    "BaseWrapper",
    "Call",
    "CorruptedDataError",
    "Decorator",
    "DecryptionError",
    "DeserializationError",
    "EncryptionError",
    "EncryptionVersionError",
    "EntryTooLargeError",
    "EntryTooSmallError",
    "FallbackWrapper",
    "InvalidKeyError",
    "InvalidTTLError",
    "KeyMapper",
    "KeyValueOperationError",
    "KeyValueStoreError",
    "LoggingWrapper",
    "MemoryStore",
    "Operation",
    "OperationTimeoutError",
    "PassthroughCacheWrapper",
    "PrefixKeysWrapper",
    "ReadOnlyError",
    "RetryWrapper",
    "SerializationError",
    "StatisticsWrapper",
    "StoreConnectionError",
    "StoreSetupError",
    "StoreTimeoutError",
    "SupportsCollections",
    "SupportsCull",
    "SupportsDestroy",
    "SupportsDestroyCollection",
    "SupportsKeys",
    "TimeoutWrapper",
    "ValueCodec",
    "decorate_class",
    "layers",
    "logged",
    "passthrough_cache",
    "prefix_keys",
    "unwrap",
    "with_fallback",
    "with_retry",
    "with_statistics",
    "with_timeout",
]
