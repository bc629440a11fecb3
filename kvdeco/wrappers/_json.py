"""JSON functions shared by the value-transforming wrappers (compression, encryption, size limit).

The encoders are built once: the wrappers sit on the hot path of every call. Output is
ASCII-only, as py-key-value writes it, so its length is the size py-key-value measures and
any string (lone surrogates included) survives a trip through bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kvdeco.validation import dump_value, load_value

__all__ = ["TooManyItemsError", "count_items", "dump_compact", "load_object", "measured_size"]

_compact = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_spaced = json.JSONEncoder(allow_nan=False).encode
_STRING = re.compile(rb'"[^"]*"')


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


class TooManyItemsError(ValueError):
    """JSON text holding more items than a reader agreed to build."""


def count_items(text: bytes, at_most: int) -> int:
    """Return a bound on how many values JSON ``text`` holds, exact when it exceeds ``at_most``.

    Parsing costs per value, not per byte: ``[[],[],...]`` builds about 75 bytes of objects
    for every 3 bytes of text, so a reader bounds the count before it parses. Every value
    but the root is the first member of a non-empty container or follows a comma, so the
    values are at most the root, the commas and the containers less the empty ones. Counting
    them in the whole text is a few passes at memory speed; only when strings could hold the
    surplus are they cut out and the count made again.
    """
    if len(text) <= at_most:  # every value takes at least one character
        return len(text)
    bound = _bound(text)
    if bound <= at_most:
        return bound
    # Escaped backslashes go first, so that what remains of a backslash-quote is an escaped
    # quote, never the end of a string; then each string becomes one character, so that the
    # list around it is not taken for an empty one.
    outside = _STRING.sub(b"0", text.replace(b"\\\\", b"").replace(b'\\"', b""))
    return _bound(outside)


def _bound(text: bytes) -> int:
    count = text.count
    containers = count(b"[") + count(b"{") - count(b"[]") - count(b"{}")
    return 1 + count(b",") + containers


def load_object(data: bytes, max_items: int | None = None) -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object, of at most ``max_items`` values if given.

    Raises:
        TooManyItemsError: the text holds more than ``max_items`` values (nothing was built).
        ValueError: not UTF-8, not JSON, not an object, or nested too deeply to parse.
    """
    if max_items is not None and count_items(data, max_items) > max_items:
        raise TooManyItemsError(f"more than {max_items} JSON values")
    return load_value(data)
