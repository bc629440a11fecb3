"""Argument checks shared by wrapper constructors."""

from __future__ import annotations

__all__ = ["check_int"]


def check_int(value: object, name: str, minimum: int, *, allow_none: bool = False) -> None:
    """Raise unless ``value`` is an int (not a bool) of at least ``minimum``, or allowed ``None``.

    Raises:
        TypeError: not an int (booleans are refused: ``True`` is no size).
        ValueError: below ``minimum``.
    """
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        allowed = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {allowed}, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
