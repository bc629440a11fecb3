"""Hypothesis strategies for the inputs of a key-value store, legal and illegal.

The legal ones cover what the contract allows and what stores tend to get wrong: empty and
very long keys, unicode, the characters prefix wrappers use as separators (``:`` ``__``) and
the ones escaping schemes trip over (``%`` ``\\``); values that are empty, nested, unicode,
large, or hold floats. The illegal ones come paired with the error the contract requires::

    from hypothesis import given
    from kvdeco.testing.strategies import invalid_ttls

    @given(invalid_ttls())
    async def test_refuses_bad_ttls(case):
        ttl, error = case
        with pytest.raises(error):
            await store.put("k", {}, ttl=ttl)
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import strategies as st

from kvdeco.errors import InvalidKeyError, InvalidTTLError, SerializationError

__all__ = [
    "SEPARATORS",
    "SPECIAL_NAMES",
    "InvalidCall",
    "colliding_names",
    "collections",
    "invalid_calls",
    "invalid_keys",
    "invalid_ttls",
    "invalid_values",
    "json_mappings",
    "json_scalars",
    "json_values",
    "keys",
    "large_mappings",
    "mismatched_put_many",
    "separators",
    "valid_ttls",
]

SPECIAL_NAMES: tuple[str, ...] = (
    "",
    ":",
    "a:b",
    "__",
    "a__b",
    "%",
    "%25",
    "\\",
    "a\\b",
    "/",
    "*",
    "with space",
    "ключ",
    "鍵",
    "🔑",
    "default_collection",
    "k" * 300,
)
"""Names that have broken real stores and wrappers: separators, escapes, unicode, length."""

SEPARATORS: tuple[str, ...] = (":", "__", "::", "/", ":/", "→")
"""Separators of prefix and collection wrappers: single characters, pairs whose first
character a name can end with (``"__"``, ``":/"``), and one outside ASCII."""

# Few characters, chosen to collide: separator characters, the escape characters ``%`` and
# ``\``, the hex digits of ``%2F`` (an escaped ``/``), letters outside ASCII.
_COLLIDING = "a:_%\\/2Féк"

_JSON_INT = st.integers(min_value=-(2**53), max_value=2**53)
"""Integers every JSON implementation reads back exactly."""


def _text(alphabet: st.SearchStrategy[str] | None, max_size: int) -> st.SearchStrategy[str]:
    # The default alphabet is every code point that UTF-8 can carry (no lone surrogates).
    return st.text(
        alphabet if alphabet is not None else st.characters(codec="utf-8"), max_size=max_size
    )


def keys(
    *, alphabet: st.SearchStrategy[str] | None = None, max_size: int = 40
) -> st.SearchStrategy[str]:
    """Keys: the :data:`SPECIAL_NAMES` and arbitrary text.

    Args:
        alphabet: Characters to draw from, for stores that honestly cannot take some (a file
            name cannot hold ``"\\x00"``). Every UTF-8 character by default.
        max_size: Longest drawn text (the special names include a 300-character one).
    """
    return st.one_of(st.sampled_from(SPECIAL_NAMES), _text(alphabet, max_size))


def collections(
    *, alphabet: st.SearchStrategy[str] | None = None, max_size: int = 40
) -> st.SearchStrategy[str | None]:
    """Collection names: ``None`` (the default collection), the special names, arbitrary text."""
    return st.one_of(st.none(), keys(alphabet=alphabet, max_size=max_size))


def separators() -> st.SearchStrategy[str]:
    """One of the :data:`SEPARATORS`."""
    return st.sampled_from(SEPARATORS)


def colliding_names(*, max_size: int = 5) -> st.SearchStrategy[str]:
    """Short names that try hard to look like one another once joined with a separator.

    Most are drawn from a few characters: those of the :data:`SEPARATORS`, the escape
    characters ``%`` and ``\\``, the hex digits of ``%2F`` and letters outside ASCII; the
    others are arbitrary text. Give them as view labels, collections and keys to a wrapper
    that joins names, to look for two that it stores in the same place.

    Args:
        max_size: Longest name.
    """
    return st.one_of(
        st.text(alphabet=_COLLIDING, max_size=max_size),
        _text(None, min(max_size, 4)),
    )


def json_scalars() -> st.SearchStrategy[Any]:
    """JSON scalars: ``None``, booleans, integers, floats and text.

    Floats are finite (NaN and infinity are not JSON); integers stay within ``2**53``. Cheaper
    to draw than :func:`json_values`, for a test that needs many values but no nesting.
    """
    return st.one_of(
        st.none(),
        st.booleans(),
        _JSON_INT,
        st.floats(allow_nan=False, allow_infinity=False),
        _text(None, 20),
    )


def json_values(*, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON-compatible value: nested lists and string-keyed dicts of :func:`json_scalars`."""
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(_text(None, 10), inner, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def large_mappings(
    *, min_size: int = 1024, max_size: int = 6000
) -> st.SearchStrategy[dict[str, Any]]:
    """Mappings whose JSON is at least ``min_size`` characters (cheap to draw: repeated text)."""
    return st.builds(
        lambda char, count, extra: {"blob": char * count, "extra": extra},
        st.characters(codec="utf-8"),
        st.integers(min_value=min_size, max_value=max_size),
        st.lists(_JSON_INT, max_size=5),
    )


def json_mappings(*, large: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Legal store values: string-keyed dicts of JSON values, ``{}`` included.

    Args:
        large: Also draw values of a few kilobytes (see :func:`large_mappings`).
    """
    small = st.dictionaries(_text(None, 12), json_values(), max_size=5)
    return st.one_of(small, large_mappings()) if large else small


def valid_ttls(
    *, min_value: float = 0.001, max_value: float = 10.0**6, none: bool = True
) -> st.SearchStrategy[float | int | None]:
    """Legal TTLs: ``None`` (no expiry), positive ints and finite positive floats."""
    numbers = st.one_of(
        st.integers(min_value=max(1, math.ceil(min_value)), max_value=int(max_value)),
        st.floats(min_value=min_value, max_value=max_value, allow_nan=False),
    )
    return st.one_of(st.none(), numbers) if none else numbers


def invalid_ttls() -> st.SearchStrategy[tuple[Any, type[Exception]]]:
    """``(ttl, InvalidTTLError)`` for TTLs the contract refuses: zero, negatives, booleans,
    NaN, infinities and things that are not numbers."""
    bad = st.one_of(
        st.sampled_from(
            [0, 0.0, -0.0, True, False, math.nan, math.inf, -math.inf, "ten", "10", b"10", [], {}]
        ),
        st.integers(max_value=-1),
        st.floats(max_value=-1e-9, allow_nan=False),
    )
    return st.tuples(bad, st.just(InvalidTTLError))


class _Unserialisable:
    def __repr__(self) -> str:
        return "<object>"


def invalid_values() -> st.SearchStrategy[tuple[Any, type[Exception]]]:
    """``(value, error)`` for values a store must refuse.

    A value that is not a mapping is a ``TypeError``; a mapping holding something JSON cannot
    carry (a set, bytes, an object, NaN, a non-string mapping key) is a ``SerializationError``.
    """
    not_mappings = st.tuples(
        st.one_of(
            st.lists(st.integers(), max_size=2), st.text(max_size=5), st.integers(), st.none()
        ),
        st.just(TypeError),
    )
    not_json = st.tuples(
        st.sampled_from(
            [
                {"set": {1, 2}},
                {"bytes": b"raw"},
                {"object": _Unserialisable()},
                {"nan": math.nan},
                {"inf": [math.inf]},
                {"deep": {"tuple_key": {(1, 2): "x"}}},
            ]
        ),
        st.just(SerializationError),
    )
    return st.one_of(not_mappings, not_json)


def invalid_keys() -> st.SearchStrategy[tuple[Any, type[Exception]]]:
    """``(key, InvalidKeyError)`` for keys that are not strings."""
    return st.tuples(
        st.one_of(st.integers(), st.none(), st.just(b"bytes"), st.just(("a",))),
        st.just(InvalidKeyError),
    )


def mismatched_put_many(
    key: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[tuple[list[str], list[dict[str, Any]], type[Exception]]]:
    """``(keys, values, ValueError)`` where the numbers of keys and values differ.

    Args:
        key: Where the keys come from (:func:`keys` by default).
    """
    key = key if key is not None else keys()
    return st.integers(min_value=0, max_value=3).flatmap(
        lambda n: st.tuples(
            st.lists(key, min_size=n, max_size=n),
            st.lists(st.just({"v": 1}), min_size=0, max_size=4).filter(lambda v: len(v) != n),
            st.just(ValueError),
        )
    )


@dataclasses.dataclass(frozen=True)
class InvalidCall:
    """One illegal call of a store operation and the error it must raise.

    Attributes:
        operation: The method to call, ``"put"`` or ``"put_many"``, ``"get"``...
        args: Positional arguments.
        kwargs: Keyword arguments (never ``collection``: the caller chooses it).
        error: The exception type the call must raise.
        untouched: Keys the call names that must be left as they were.
    """

    operation: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    error: type[Exception]
    untouched: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.operation}({', '.join(shown)}) -> {self.error.__name__}"


def invalid_calls(key: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[InvalidCall]:
    """Every kind of illegal call, each paired with its error.

    Args:
        key: Where valid keys of the call come from (:func:`keys` by default).
    """
    key = key if key is not None else keys()
    bad_ttl = st.builds(
        lambda k, case, many: InvalidCall(
            "put_many" if many else "put",
            ([k], [{"v": 1}]) if many else (k, {"v": 1}),
            {"ttl": case[0]},
            case[1],
            (k,),
        ),
        key,
        invalid_ttls(),
        st.booleans(),
    )
    bad_value = st.builds(
        lambda k, case, many: InvalidCall(
            "put_many" if many else "put",
            ([k], [case[0]]) if many else (k, case[0]),
            {},
            case[1],
            (k,),
        ),
        key,
        invalid_values(),
        st.booleans(),
    )
    bad_key = st.builds(
        lambda case, op: InvalidCall(
            op,
            (case[0], {"v": 1}) if op == "put" else (case[0],),
            {},
            case[1],
        ),
        invalid_keys(),
        st.sampled_from(["get", "ttl", "put", "delete"]),
    )
    bad_keys = st.builds(
        # Which valid keys a failing bulk delete leaves is not promised: none are checked.
        lambda k, case, op: InvalidCall(op, ([k, case[0]],), {}, case[1]),
        key,
        invalid_keys(),
        st.sampled_from(["get_many", "ttl_many", "delete_many"]),
    )
    mismatch = st.builds(
        lambda case: InvalidCall("put_many", (case[0], case[1]), {}, case[2], tuple(case[0])),
        mismatched_put_many(key),
    )
    # Mapped through ``_as_is`` so Hypothesis shows each case by its repr, not by how it was built.
    return st.one_of(bad_ttl, bad_value, bad_key, bad_keys, mismatch).map(_as_is)


def _as_is(case: InvalidCall) -> InvalidCall:
    return case
