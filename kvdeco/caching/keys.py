"""Cache keys for function calls: the function's name and its bound arguments, encoded stably.

A key must be the same for the same call in every process and every Python run, so it is built
from values, never from ``hash()`` (salted per process for strings) or ``repr()`` (object
addresses). Arguments are bound to the function's signature with defaults applied, so
``f(1)``, ``f(x=1)`` and ``f(1, y=2)`` (when 2 is ``y``'s default) name the same entry, and
keyword order never matters.

Each argument is written as a tagged JSON value, so values that Python compares equal but that a
function may treat differently (``1``, ``1.0`` and ``True``; ``[1]`` and ``(1,)``) get different
keys. Types with no stable encoding are refused with a ``TypeError`` that says how to pass
``key=`` instead.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import hashlib
import inspect
import json
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["KeyBuilder", "canonical"]

MAX_PLAIN_LENGTH = 160
"""Argument encodings longer than this are replaced by their SHA-256 digest."""

_encode = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode
_EXCLUDED_BY_DEFAULT = frozenset({"self", "cls"})
_STRINGLIKE = (datetime.date, datetime.time, datetime.timedelta, decimal.Decimal, uuid.UUID)


def canonical(value: Any, where: str = "argument") -> Any:
    """Return ``value`` as a tagged, JSON-encodable structure that identifies it by type and value.

    Args:
        value: An argument of a cached call.
        where: How error messages name the value.

    Raises:
        TypeError: ``value`` (or something inside it) has no stable encoding.

    Example:
        >>> canonical((1, "a"))
        ['tuple', [['int', 1], ['str', 'a']]]
    """
    kind = type(value)
    if value is None:
        return None
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", value]
    if kind is str:
        return ["str", value]
    if kind is float:
        # repr round-trips and tells -0.0 from 0.0; nan and the infinities have one spelling.
        return ["float", repr(value) if math.isfinite(value) else str(value)]
    if kind is bytes:
        return ["bytes", base64.b64encode(value).decode("ascii")]
    if kind is list or kind is tuple:
        return [kind.__name__, [canonical(item, where) for item in value]]
    if kind is dict:
        items = [(canonical(k, where), canonical(v, where)) for k, v in value.items()]
        return ["dict", sorted(items, key=lambda item: _encode(item[0]))]
    if kind is set or kind is frozenset:
        return [kind.__name__, sorted((canonical(item, where) for item in value), key=_encode)]
    if isinstance(value, enum.Enum):
        return ["enum", _type_name(kind), canonical(value.value, where)]
    if isinstance(value, _STRINGLIKE):
        return [_type_name(kind), str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: canonical(getattr(value, f.name), where) for f in dataclasses.fields(value)
        }
        return ["object", _type_name(kind), sorted(fields.items())]
    dump = getattr(value, "model_dump", None)  # a pydantic model
    if callable(dump) and not isinstance(value, type):
        return ["object", _type_name(kind), canonical(dump(mode="json"), where)]
    raise TypeError(
        f"{where} of type {_type_name(kind)} cannot be part of a cache key: give cached() a "
        "key= template or function that names the call by its identifying values"
    )


def _type_name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def function_name(function: Callable[..., Any]) -> str:
    """The function's module and qualified name: the namespace of all its keys."""
    return f"{function.__module__}.{function.__qualname__}"


class KeyBuilder:
    """Builds the store key of each call of one function.

    Args:
        function: The cached function.
        key: ``None`` (name the call by all its bound arguments), a template string formatted
            with the arguments by name (``"user:{user_id}"``), or a callable that takes the
            function's arguments and returns a string.
        exclude: Parameter names left out of the key. By default a first parameter named
            ``self`` or ``cls``.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        key: str | Callable[..., str] | None = None,
        exclude: frozenset[str] | None = None,
    ) -> None:
        if key is not None and not isinstance(key, str) and not callable(key):
            raise TypeError(f"key must be a template string or a callable, not {key!r}")
        self.signature = inspect.signature(function)
        self.namespace = function_name(function)
        self.key = key
        if exclude is None:
            first = next(iter(self.signature.parameters), None)
            exclude = frozenset({first} & _EXCLUDED_BY_DEFAULT) if first else frozenset()
        self.exclude = exclude

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> inspect.BoundArguments:
        """Bind a call's arguments to the signature, defaults applied.

        Raises:
            TypeError: the arguments do not fit the signature (as calling it would).
        """
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return bound

    def build(self, bound: inspect.BoundArguments) -> str:
        """Return the store key of a bound call: ``<module>.<qualname>:<arguments>``."""
        if self.key is None:
            named = [
                [name, self._value(name, value, bound)]
                for name, value in bound.arguments.items()
                if name not in self.exclude
            ]
            text = _encode(named)
        elif isinstance(self.key, str):
            text = self.key.format_map(bound.arguments)
        else:
            text = self.key(*bound.args, **bound.kwargs)
            if not isinstance(text, str):
                raise TypeError(f"the key= function returned {type(text).__name__}, not str")
        if len(text) > MAX_PLAIN_LENGTH:
            text = "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        # The namespace keeps two functions apart even when their templates agree.
        return f"{self.namespace}:{text}"

    def _value(self, name: str, value: Any, bound: inspect.BoundArguments) -> Any:
        parameter = self.signature.parameters[name]
        where = f"argument {name!r} of {self.namespace}"
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            # **kwargs: its names are part of the call, their order is not.
            return ["kwargs", sorted([k, canonical(v, where)] for k, v in value.items())]
        return canonical(value, where)
