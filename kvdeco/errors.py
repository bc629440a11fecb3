"""The errors kvdeco raises.

Every error derives from :class:`BaseKeyValueError`, so one ``except`` catches them all.
Where Python already has a matching builtin, the error is also that builtin, so code written
against the standard library (or tenacity's defaults) handles it without knowing kvdeco::

    BaseKeyValueError
    ├── KeyValueOperationError                 a call was refused or its data is unusable
    │   ├── SerializationError                 not JSON (a non-mapping is a TypeError too)
    │   ├── DeserializationError               stored data cannot be turned back into a value
    │   ├── InvalidTTLError        (ValueError) TTL is 0, negative, a bool, NaN or above 1e10
    │   ├── InvalidKeyError        (ValueError) a key or collection that is not a string
    │   ├── EncryptionError
    │   │   ├── DecryptionError                a token that does not verify, a wrong key
    │   │   │   └── CorruptedDataError         an envelope that is not an envelope
    │   │   └── EncryptionVersionError         an envelope version this reader does not know
    │   ├── ReadOnlyError                      a write through a read-only view
    │   ├── EntryTooLargeError     (ValueError) larger than LimitSizeWrapper allows
    │   └── EntryTooSmallError     (ValueError) smaller than LimitSizeWrapper allows
    └── KeyValueStoreError                     the backend itself failed
        ├── StoreSetupError                    the store could not be set up
        ├── StoreConnectionError   (ConnectionError) the backend cannot be reached
        │   └── StoreTimeoutError  (TimeoutError)    the backend did not answer in time
        ├── CircuitOpenError                   a circuit breaker fails calls fast
        └── BulkheadFullError                  no slot freed within the wait allowed

Messages name the operation, the collection and the key where there is one, and never a value.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BaseKeyValueError",
    "BulkheadFullError",
    "CircuitOpenError",
    "CorruptedDataError",
    "DecryptionError",
    "DeserializationError",
    "EncryptionError",
    "EncryptionVersionError",
    "EntryTooLargeError",
    "EntryTooSmallError",
    "InvalidKeyError",
    "InvalidTTLError",
    "KeyValueOperationError",
    "KeyValueStoreError",
    "ReadOnlyError",
    "SerializationError",
    "StoreConnectionError",
    "StoreSetupError",
    "StoreTimeoutError",
]


def _where(operation: str | None, collection: str | None, key: str | None) -> str:
    parts = []
    if operation is not None:
        parts.append(f"operation={operation}")
    if collection is not None:
        parts.append(f"collection={collection!r}")
    if key is not None:
        parts.append(f"key={key!r}")
    return f" ({', '.join(parts)})" if parts else ""


class BaseKeyValueError(Exception):
    """The root of every kvdeco error.

    Args:
        message: What went wrong, without any stored value.
        operation: The store operation that failed, such as ``"put"``.
        collection: The collection involved, if any.
        key: The key involved, if any.
    """

    def __init__(
        self,
        message: str = "",
        *,
        operation: str | None = None,
        collection: str | None = None,
        key: str | None = None,
    ) -> None:
        self.operation = operation
        self.collection = collection
        self.key = key
        super().__init__(message + _where(operation, collection, key))


class KeyValueOperationError(BaseKeyValueError):
    """A call was refused, or the data it touched cannot be used."""


class SerializationError(KeyValueOperationError):
    """A value cannot be stored because it is not JSON-compatible."""


class DeserializationError(KeyValueOperationError):
    """Stored data cannot be turned back into a value."""


class InvalidTTLError(KeyValueOperationError, ValueError):
    """A TTL is not ``None`` nor a real number of seconds above zero and at most ``1e10``."""

    def __init__(self, ttl: Any, **where: Any) -> None:
        self.ttl = ttl
        super().__init__(
            f"invalid ttl {_short_repr(ttl)}: use None or a number of seconds > 0 and <= 1e10",
            **where,
        )


def _short_repr(thing: object, limit: int = 40) -> str:
    # repr of a huge int can be long, or refused outright (Python's 4300-digit limit).
    try:
        text = repr(thing)
    except ValueError:
        return f"<{type(thing).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InvalidKeyError(KeyValueOperationError, ValueError):
    """A key or collection name is not a string."""


class EncryptionError(KeyValueOperationError):
    """Encrypting or decrypting a value failed."""


class DecryptionError(EncryptionError):
    """A stored value does not decrypt: wrong key, tampered or moved ciphertext."""


class CorruptedDataError(DecryptionError):
    """A stored value that should be an encrypted envelope is malformed."""


class EncryptionVersionError(EncryptionError):
    """An envelope carries a format version this reader does not understand."""


class ReadOnlyError(KeyValueOperationError):
    """A write or delete was attempted through a read-only view."""


class EntryTooLargeError(KeyValueOperationError, ValueError):
    """A value is larger than the configured maximum size."""

    def __init__(self, size: int, max_size: int, **where: Any) -> None:
        self.size = size
        self.max_size = max_size
        super().__init__(f"entry of {size} JSON characters exceeds max_size={max_size}", **where)


class EntryTooSmallError(KeyValueOperationError, ValueError):
    """A value is smaller than the configured minimum size."""

    def __init__(self, size: int, min_size: int, **where: Any) -> None:
        self.size = size
        self.min_size = min_size
        super().__init__(f"entry of {size} JSON characters is below min_size={min_size}", **where)


class KeyValueStoreError(BaseKeyValueError):
    """The backend store failed."""


class StoreSetupError(KeyValueStoreError):
    """The store could not be set up (bad URL, missing driver, unusable path)."""


class StoreConnectionError(KeyValueStoreError, ConnectionError):
    """The backend cannot be reached. Retried by ``RetryWrapper`` by default."""


class StoreTimeoutError(StoreConnectionError, TimeoutError):
    """The backend did not answer in time. Retried by ``RetryWrapper`` by default."""


class CircuitOpenError(KeyValueStoreError):
    """A circuit breaker is open: the call failed at once, without reaching the store.

    Not a ``ConnectionError``, so ``RetryWrapper``'s defaults do not retry it (retrying an open
    circuit only waits for the same answer); ``FallbackWrapper``'s defaults catch it.

    Attributes:
        retry_after: Seconds until the breaker lets a trial call through.
    """

    def __init__(self, message: str, *, retry_after: float, **where: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **where)


class BulkheadFullError(KeyValueStoreError):
    """Every slot of a concurrency limit stayed busy for as long as the caller could wait."""
