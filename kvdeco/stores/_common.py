"""What the stores that keep values as JSON text share."""

from __future__ import annotations

from typing import Any

from kvdeco.errors import (
    DeserializationError,
    InvalidKeyError,
    KeyValueOperationError,
    SerializationError,
)
from kvdeco.validation import load_value


def load_entry(
    raw: bytes | str, operation: str, collection: str | None, key: str
) -> dict[str, Any]:
    """Parse a stored entry back into a fresh dict.

    Raises:
        DeserializationError: the stored text is not a JSON object (the message holds no data).
    """
    try:
        return load_value(raw)
    except ValueError:
        raise DeserializationError(
            "stored data is not a JSON object", operation=operation, collection=collection, key=key
        ) from None


def unencodable(
    operation: str, collection: str | None, key: str | None = None
) -> KeyValueOperationError:
    """The error for text a backend cannot store: a lone surrogate is not UTF-8.

    A write gets a :class:`SerializationError`; a read or delete, whose only text is its
    keys, an :class:`InvalidKeyError`.
    """
    message = "a key, collection or value holds text that is not valid UTF-8 (a lone surrogate)"
    kind = SerializationError if operation in ("put", "put_many") else InvalidKeyError
    return kind(message, operation=operation, collection=collection, key=key)


def check_limit(limit: object, operation: str) -> int | None:
    """Return the ``limit`` of ``keys()`` or ``collections()``: an int or ``None``.

    Raises:
        TypeError: ``limit`` is of another type (a bool included, as ``True`` is no count).
    """
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(
            f"limit must be an int or None, not {type(limit).__name__} (operation={operation})"
        )
    return limit
