"""The checks of the aspects' fields, in one place, with one wording (private).

Each check names the argument as the user wrote it and says what it must be and what it got
(the type, never the value of a string, which may be a secret or a key).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

from kvdeco.aspect import CHECK
from kvdeco.validation import check_store


def checked(check: Callable[..., Any], **options: Any) -> Mapping[str, Any]:
    """Field metadata that makes an aspect run ``check(value, name, **options)`` when made.

    The aspect keeps what the check returns, so a check may also normalise (a tuple of
    exception classes from one class, a float from an int).

    Example:
        >>> import dataclasses
        >>> from kvdeco.aspect import Aspect
        >>> @dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
        ... class Pause(Aspect):
        ...     seconds: float = dataclasses.field(default=1, metadata=checked(number))
        >>> Pause(seconds=2).seconds
        2.0
    """
    return {CHECK: functools.partial(check, **options) if options else check}


def number(
    value: Any,
    name: str,
    *,
    minimum: float = 0.0,
    inclusive: bool = False,
    maximum: float | None = None,
    allow_none: bool = False,
) -> Any:
    """Return ``value`` as a float if it is a finite real number above ``minimum``.

    Args:
        value: What the caller gave.
        name: The argument's name, for the error message.
        minimum: The lower bound.
        inclusive: Whether ``minimum`` itself is allowed.
        maximum: The upper bound, allowed itself; ``None`` for none.
        allow_none: Whether ``None`` (no number at all) is allowed; it is kept as it is.

    Raises:
        TypeError: for booleans and non-numbers.
        ValueError: for NaN, infinities and values out of range.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        allowed = "a number or None" if allow_none else "a number"
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__}")
    low_ok = value >= minimum if inclusive else value > minimum
    if not (low_ok and math.isfinite(value)):
        bound = ">=" if inclusive else ">"
        raise ValueError(f"{name} must be a finite number {bound} {minimum:g}, not {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, not {value!r}")
    return float(value)


def integer(value: Any, name: str, minimum: int, *, allow_none: bool = False) -> Any:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``, or allowed ``None``.

    Raises:
        TypeError: not an int (booleans are refused: ``True`` is no size).
        ValueError: below ``minimum``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        allowed = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return value


def flag(value: Any, name: str, *, allow_none: bool = False) -> Any:
    """Return ``value`` if it is a bool (``1`` or ``"yes"`` is not), or allowed ``None``.

    Raises:
        TypeError: not a bool.
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, bool):
        allowed = "a bool or None" if allow_none else "a bool"
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__}")
    return value


def text(value: Any, name: str, *, allow_none: bool = False) -> Any:
    """Return ``value`` if it is a non-empty str, or an allowed ``None``.

    Raises:
        TypeError: not a str.
        ValueError: the empty string.
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        allowed = "a str or None" if allow_none else "a str"
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def function(value: Any, name: str) -> Any:
    """Return ``value`` if it can be called.

    Raises:
        TypeError: not callable.
    """
    if not callable(value):
        raise TypeError(f"{name} must be callable, not {type(value).__name__}")
    return value


def store_instance(value: Any, name: str) -> Any:
    """Return ``value`` if it is a store instance a wrapper can use (not a class, not a dict).

    Raises:
        TypeError: naming the argument and what the store lacks.
    """
    check_store(value, name)
    return value


def exception_types(value: Any, name: str) -> tuple[type[BaseException], ...]:
    """Return ``value`` as a non-empty tuple of exception classes (one class is accepted)."""
    types = (value,) if isinstance(value, type) else value
    if (
        not isinstance(types, (tuple, list))
        or not types
        or not all(isinstance(t, type) and issubclass(t, BaseException) for t in types)
    ):
        raise TypeError(f"{name} must be an exception class or a non-empty tuple of them")
    return tuple(types)


def one_of(value: Any, alias: Any, name: str, alias_name: str) -> Any:
    """Return whichever of two spellings of one argument was given; exactly one must be."""
    if (value is None) == (alias is None):
        raise TypeError(f"give exactly one of {name}= and {alias_name}=")
    return value if alias is None else alias
