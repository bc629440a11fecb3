"""What the stores that keep values as JSON text share."""

from __future__ import annotations

from typing import Any

from kvdeco.errors import DeserializationError
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
