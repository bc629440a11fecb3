"""The value, TTL and key rules every kvdeco store and wrapper applies.

Kept in one place so that stores agree on what is legal and what error an illegal input
raises (see the error tree in :mod:`kvdeco.errors`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kvdeco.errors import (
    InvalidKeyError,
    InvalidTTLError,
    KeyValueOperationError,
    SerializationError,
)
from kvdeco.operations import PROTOCOL_OPERATIONS

__all__ = [
    "DEFAULT_COLLECTION",
    "MAX_TTL",
    "check_key",
    "check_keys",
    "check_many",
    "check_store",
    "check_ttl",
    "check_value",
    "collection_name",
    "copy_value",
    "dump_value",
    "fresh_copy",
    "load_value",
    "missing_operations",
]

DEFAULT_COLLECTION = "default_collection"
"""The collection that ``collection=None`` and ``collection=""`` refer to."""

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
_encode_ascii = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
_decode = json.JSONDecoder().decode


def collection_name(collection: str | None, operation: str = "call") -> str:
    """Return the collection a call addresses: ``None`` and ``""`` mean the default one."""
    if collection is None or collection == "":
        return DEFAULT_COLLECTION
    if not isinstance(collection, str):
        raise InvalidKeyError(
            f"collection must be a str, not {type(collection).__name__}", operation=operation
        )
    return collection


def check_key(key: object, operation: str, collection: str | None = None) -> str:
    """Return ``key`` if it is a string, else raise :class:`InvalidKeyError`."""
    if type(key) is str or isinstance(key, str):
        return key
    raise InvalidKeyError(
        f"key must be a str, not {type(key).__name__}", operation=operation, collection=collection
    )


def check_keys(keys: object, operation: str, collection: str | None = None) -> list[str]:
    """Return ``keys`` as a list of strings; a lone string is refused (it is not a list of keys)."""
    items: Any = keys
    kind = type(items)
    if kind is list or kind is tuple:
        # The common case, checked in C: a list or tuple of exact strings.
        if set(map(type, items)) <= _JUST_STR:
            return list(items)
    elif isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise InvalidKeyError(
            f"keys must be a sequence of str, not {kind.__name__}",
            operation=operation,
            collection=collection,
        )
    for key in items:
        check_key(key, operation, collection)
    return list(items)


_JUST_STR = frozenset({str})


MAX_TTL = 10_000_000_000.0
"""The longest TTL every store accepts, in seconds (about 317 years).

Redis keeps an expiry as milliseconds since 1970 in a signed 64-bit integer, and a float
TTL should still count whole milliseconds exactly; ten billion seconds is well inside both,
so one bound holds for every store and a TTL is either accepted everywhere or nowhere.
"""


def check_ttl(ttl: object, operation: str = "put", collection: str | None = None) -> float | None:
    """Return ``ttl`` as a float, or ``None`` for no expiry.

    Raises:
        InvalidTTLError: for 0, negatives, booleans, NaN, infinity, non-numbers and anything
            above :data:`MAX_TTL` (also numbers too large for a float, such as ``10**400``).
    """
    if ttl is None:
        return None
    if isinstance(ttl, (bool, str, bytes)):
        # float("30") would parse, but a TTL is a number, not text that looks like one.
        raise InvalidTTLError(ttl, operation=operation, collection=collection)
    try:
        seconds = float(ttl)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InvalidTTLError(ttl, operation=operation, collection=collection) from None
    # NaN fails both comparisons; infinity fails the second.
    if not (seconds > 0 and seconds <= MAX_TTL):
        raise InvalidTTLError(ttl, operation=operation, collection=collection)
    return seconds


def check_value(value: object, operation: str, collection: str | None, key: str | None) -> None:
    """Raise unless ``value`` is a mapping at the top level.

    Raises:
        TypeError: for anything that is not a mapping (a :class:`SerializationError` too).
    """
    if type(value) is not dict and not isinstance(value, Mapping):
        raise _NotAMappingError(
            f"value must be a mapping, not {type(value).__name__}",
            operation=operation,
            collection=collection,
            key=key,
        )


class _NotAMappingError(SerializationError, TypeError):
    """A value that is not a mapping: both the kvdeco error and the builtin ``TypeError``."""


def dump_value(value: object, operation: str, collection: str | None, key: str | None) -> str:
    """Serialise a value to compact JSON after checking it is a mapping.

    Raises:
        TypeError: the value is not a mapping.
        SerializationError: the value holds something JSON cannot represent.
    """
    if type(value) is not dict:
        check_value(value, operation, collection, key)
        value = dict(value)  # type: ignore[call-overload]
    try:
        # The ASCII encoder is faster (a quarter less for 64 KiB) and writes the same text
        # unless it had to escape something: then the text is written as it always was.
        text = _encode_ascii(value)
        # A one-character search runs at memory speed; the two-character one only when needed.
        return text if "\\" not in text or "\\u" not in text else _encode(value)
    except RecursionError:
        raise SerializationError(
            "value is nested too deeply to serialise",
            operation=operation,
            collection=collection,
            key=key,
        ) from None
    except (TypeError, ValueError) as error:
        # The message names the offending type only: the value itself may be a secret.
        raise SerializationError(
            f"value is not JSON-serialisable: {_reason(error)}",
            operation=operation,
            collection=collection,
            key=key,
        ) from None


def _reason(error: Exception) -> str:
    text = str(error)
    if "is not JSON serializable" in text:
        return "an object of type " + text.split("Object of type ", 1)[-1].split(" ", 1)[0]
    if "Out of range float" in text:
        return "a NaN or infinite float"
    if "keys must be" in text:
        return "a mapping key that is not a string"
    if "Circular reference" in text:
        return "a circular reference"
    return type(error).__name__


def load_value(text: str | bytes) -> dict[str, Any]:
    """Parse JSON written by :func:`dump_value` back into a fresh dict.

    Raises:
        ValueError: not UTF-8, not JSON, not an object, or nested too deeply to parse.
    """
    try:
        result = _decode(text if isinstance(text, str) else text.decode("utf-8"))
    except RecursionError:
        # The C decoder stops at the interpreter's recursion limit: planted data, not a value.
        raise ValueError("stored JSON is nested too deeply") from None
    if type(result) is not dict:
        raise ValueError("stored JSON is not an object")
    return result


def check_many(keys: Sequence[str], values: Sequence[object], operation: str = "put_many") -> None:
    """Raise ``ValueError`` when a bulk write has different numbers of keys and values."""
    kind = type(values)
    if (
        kind is not list
        and kind is not tuple
        and (isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence))
    ):
        raise SerializationError(
            f"values must be a sequence of mappings, not {type(values).__name__}",
            operation=operation,
        )
    if len(keys) != len(values):
        raise _LengthMismatchError(
            f"{len(keys)} keys but {len(values)} values; nothing was written",
            operation=operation,
        )


class _LengthMismatchError(KeyValueOperationError, ValueError):
    """Mismatched bulk lengths: a ``ValueError`` as the protocol asks, and a kvdeco error."""


_FINITE_MAX = float("inf")


def copy_value(
    value: object, operation: str, collection: str | None, key: str | None
) -> dict[str, Any]:
    """Return a private deep copy of a value, checking that every part of it is JSON.

    The copy is what a store keeps, so later changes to the caller's object do not reach it.
    Tuples become lists and mapping keys must be strings, as a JSON round trip would have it.

    Raises:
        TypeError: the value is not a mapping.
        SerializationError: some part of it is not JSON (a set, bytes, NaN, a non-string key...).
    """
    check_value(value, operation, collection, key)
    try:
        return _copy_checked(value)  # type: ignore[no-any-return]
    except _NotJSON as error:
        raise SerializationError(
            f"value is not JSON-serialisable: {error.args[0]}",
            operation=operation,
            collection=collection,
            key=key,
        ) from None
    except RecursionError:
        raise SerializationError(
            "value is nested too deeply (or refers to itself)",
            operation=operation,
            collection=collection,
            key=key,
        ) from None


class _NotJSON(Exception):
    pass


def _copy_checked(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        copied = {}
        for name, item in value.items():
            if type(name) is not str:
                if not isinstance(name, str):
                    raise _NotJSON(f"a mapping key of type {type(name).__name__}")
                name = str(name)
            copied[name] = _copy_checked(item)
        return copied
    if kind is list or kind is tuple:
        return [_copy_checked(item) for item in value]
    if kind is float:
        if value != value or value in (_FINITE_MAX, -_FINITE_MAX):
            raise _NotJSON("a NaN or infinite float")
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _copy_checked(float(value))
    if isinstance(value, (list, tuple)):
        return [_copy_checked(item) for item in value]
    raise _NotJSON(f"an object of type {kind.__name__}")


def fresh_copy(value: Any) -> Any:
    """Copy a value already checked by :func:`copy_value` (only dicts and lists need copying)."""
    kind = type(value)
    if kind is dict:
        return {
            name: (item if type(item) in _IMMUTABLE else fresh_copy(item))
            for name, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _IMMUTABLE else fresh_copy(item) for item in value]
    return value


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def missing_operations(store: object) -> list[str]:
    """The operations of the protocol that ``store`` (a store or a store class) lacks."""
    return [op.name for op in PROTOCOL_OPERATIONS if not callable(getattr(store, op.name, None))]


def check_store(store: Any, wrapper: str) -> None:
    """Raise ``TypeError`` unless ``store`` is a store instance a wrapper can wrap."""
    if isinstance(store, type):
        raise TypeError(f"{wrapper} wraps a store instance; to decorate a class use its decorator")
    missing = missing_operations(store)
    if not missing:
        return
    if len(missing) < len(PROTOCOL_OPERATIONS) and not {"get", "put", "delete"} & set(missing):
        # Filling in bulk operations key by key changes what they cost, so it is a visible
        # choice (adapt) rather than something a wrapper does behind the caller's back.
        raise TypeError(
            f"{wrapper} needs all eight store operations; {type(store).__name__} has no "
            f"{', '.join(missing)}: wrap it with kvdeco.adapt(store) first"
        )
    raise TypeError(f"{wrapper} needs a key-value store; {type(store).__name__} is not one")
