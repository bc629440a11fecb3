"""How a cached function's result is kept in a store: JSON inside the store's value mapping.

A stored entry is a mapping like::

    {"kvdeco_cached": 1, "result": <the result as JSON>, "fresh_until": 1767225600.0}

``fresh_until`` is wall-clock time (seconds since the epoch, so every process agrees on it) or
``None`` for an entry that never goes stale. A result must come back exactly as it went in, so
only values that JSON gives back unchanged are accepted (a tuple would come back a list, an
``int`` dictionary key a string): anything else needs an ``encode=``/``decode=`` pair, or is a
pydantic model, which is stored as its JSON dump and validated again on the way out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["ResultCodec", "check_json"]

MARKER = "kvdeco_cached"
VERSION = 1


def check_json(value: Any, where: str) -> None:
    """Raise ``TypeError`` unless ``value`` survives a JSON round trip unchanged.

    Args:
        value: A function's result (or what ``encode=`` made of it).
        where: How the message names the value.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if item is None or kind is bool or kind is int or kind is str:
            continue
        if kind is float:
            if not math.isfinite(item):
                raise TypeError(f"{where} holds {item!r}, which JSON cannot represent")
            continue
        if kind is list:
            stack.extend(item)
            continue
        if kind is dict:
            for name, inner in item.items():
                if type(name) is not str:
                    raise TypeError(
                        f"{where} has a dictionary key of type {type(name).__name__}; JSON "
                        "would give it back as a string"
                    )
                stack.append(inner)
            continue
        raise TypeError(
            f"{where} holds a {kind.__module__}.{kind.__qualname__}, which JSON would not give "
            "back unchanged: pass cached() an encode= and decode= pair for it"
        )


def _pydantic_model(annotation: Any) -> Any:
    """The pydantic model class a return annotation names, or ``None``."""
    validate = getattr(annotation, "model_validate", None)
    return annotation if isinstance(annotation, type) and callable(validate) else None


class ResultCodec:
    """Turns one function's results into stored entries and back.

    Args:
        name: The function's name, for error messages.
        encode: Turns a result into a JSON value; ``None`` for results that already are one.
        decode: Turns the stored JSON value back into a result.
        returns: The function's return annotation: a pydantic model class is stored as its
            JSON dump and validated again when read.
    """

    def __init__(
        self,
        name: str,
        encode: Callable[[Any], Any] | None = None,
        decode: Callable[[Any], Any] | None = None,
        returns: Any = None,
    ) -> None:
        if (encode is None) != (decode is None):
            raise TypeError("encode= and decode= go together: give both or neither")
        model = _pydantic_model(returns)
        if encode is None and model is not None:
            encode = lambda result: result.model_dump(mode="json")  # noqa: E731
            decode = model.model_validate
        self.name = name
        self.encode = encode
        self.decode = decode

    def entry(self, result: Any, fresh_until: float | None) -> dict[str, Any]:
        """Return the stored mapping for ``result``.

        Raises:
            TypeError: the result (after ``encode``) would not come back unchanged.
        """
        data = result if self.encode is None or result is None else self.encode(result)
        check_json(data, f"the result of {self.name}")
        return {MARKER: VERSION, "result": data, "fresh_until": fresh_until}

    def read(self, entry: Mapping[str, Any] | None) -> tuple[bool, Any, float | None]:
        """Return ``(found, result, fresh_until)`` for a stored mapping (``None`` on a miss).

        A mapping that is not one of this module's entries reads as a miss, so a key that some
        other program wrote is recomputed and overwritten rather than returned.
        """
        if entry is None or entry.get(MARKER) != VERSION or "result" not in entry:
            return False, None, None
        fresh_until = entry.get("fresh_until")
        if fresh_until is not None and not isinstance(fresh_until, (int, float)):
            return False, None, None
        data = entry["result"]
        result = data if self.decode is None or data is None else self.decode(data)
        return True, result, fresh_until
