"""JSON functions shared by the value-transforming wrappers (compression, encryption, size limit).

The encoders are built once: the wrappers sit on the hot path of every call. Output is
ASCII-only, as py-key-value writes it, so its length is the size py-key-value measures and
any string (lone surrogates included) survives a trip through bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kvdeco.validation import dump_value

__all__ = ["dump_compact", "load_object", "measured_size"]

_compact = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_spaced = json.JSONEncoder(allow_nan=False).encode
_decode = json.JSONDecoder().decode


def dump_compact(
    value: Mapping[str, Any], operation: str, collection: str | None, key: str | None
) -> str:
    """Return ``value`` as compact ASCII JSON.

    Raises:
        SerializationError: the value holds something JSON cannot represent.
    """
    try:
        return _compact(value if type(value) is dict else dict(value))
    except (TypeError, ValueError, RecursionError):
        dump_value(value, operation, collection, key)  # raises the error with a safe message
        raise


def measured_size(
    value: Mapping[str, Any], operation: str, collection: str | None, key: str | None
) -> int:
    """Return ``len(json.dumps(value, sort_keys=True))``, the size py-key-value measures.

    Sorting the keys does not change the length, so it is skipped.
    """
    try:
        return len(_spaced(value if type(value) is dict else dict(value)))
    except (TypeError, ValueError, RecursionError):
        dump_value(value, operation, collection, key)
        raise


def load_object(data: bytes) -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object.

    Raises:
        ValueError: not UTF-8, not JSON, or not an object.
    """
    value = _decode(data.decode("utf-8"))
    if type(value) is not dict:
        raise ValueError("not a JSON object")
    return value
