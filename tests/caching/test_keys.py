"""Cache keys: equal bindings give equal keys, unequal bindings unequal ones, in every process."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kvdeco.caching.keys import MAX_PLAIN_LENGTH, KeyBuilder, canonical


async def lookup(a: Any, b: Any = 2, *rest: Any, flag: Any = False, **extra: Any) -> None:
    """A function with every kind of parameter."""


async def other(a: Any, b: Any = 2, *rest: Any, flag: Any = False, **extra: Any) -> None:
    """The same signature under another name."""


KEYS = KeyBuilder(lookup)


def key(*args: Any, **kwargs: Any) -> str:
    return KEYS.build(KEYS.bind(args, kwargs))


# Values that JSON alone would confuse: 1/1.0/True, lists/tuples, str/bytes, -0.0/0.0.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.binary(max_size=5),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=8,
)
names = st.sampled_from(["x", "y", "z"])


def same(left: Any, right: Any) -> bool:
    """Equality that also compares types, all the way down (what a key must tell apart)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, float):
        return repr(left) == repr(right)
    return bool(left == right)


@given(a=values, extra=st.dictionaries(names, values, max_size=3), data=st.data())
def test_keyword_order_and_spelled_out_defaults_do_not_change_the_key(
    a: Any, extra: dict[str, Any], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(list(extra.items())))
    assert key(a, **extra) == key(a, 2, flag=False, **dict(shuffled))
    assert key(a, **extra) == key(a=a, b=2, **extra)


@given(left=st.tuples(values, values), right=st.tuples(values, values))
def test_unequal_bindings_give_unequal_keys_and_equal_ones_equal_keys(
    left: tuple[Any, Any], right: tuple[Any, Any]
) -> None:
    assert (key(*left) == key(*right)) == same(left, right)


@given(extra=st.dictionaries(names, values, max_size=3), rest=st.lists(values, max_size=2))
def test_var_positional_and_var_keyword_arguments_are_part_of_the_key(
    extra: dict[str, Any], rest: list[Any]
) -> None:
    assert key(1, 2, *rest, **extra) != key(1, 2, *rest, "more", **extra)
    assert key(1, 2, *rest, **extra) != key(1, 2, *rest, **extra, w=0)


def test_values_python_calls_equal_are_told_apart() -> None:
    assert len({key(1), key(1.0), key(True)}) == 3
    assert key([1, 2]) != key((1, 2))
    assert key("a") != key(b"a")
    assert key(0.0) != key(-0.0)


def test_two_functions_with_the_same_arguments_never_share_a_key() -> None:
    theirs = KeyBuilder(other)
    assert key(1) != theirs.build(theirs.bind((1,), {}))
    template = [KeyBuilder(f, key="user:{a}") for f in (lookup, other)]
    built = {builder.build(builder.bind((7,), {})) for builder in template}
    assert len(built) == 2
    assert all(k.endswith(":user:7") for k in built)


def test_a_long_encoding_is_replaced_by_its_digest() -> None:
    long = key("x" * (MAX_PLAIN_LENGTH + 1))
    assert long.startswith(f"{lookup.__module__}.{lookup.__qualname__}:sha256:")
    assert len(long) < MAX_PLAIN_LENGTH
    assert long != key("x" * (MAX_PLAIN_LENGTH + 2))


def test_self_and_cls_are_left_out_of_a_method_key() -> None:
    class Service:
        async def load(self, item: int) -> None: ...

    builder = KeyBuilder(Service.load)
    assert builder.build(builder.bind((Service(), 3), {})) == builder.build(
        builder.bind((Service(), 3), {})
    )


def test_a_callable_key_names_the_call() -> None:
    builder = KeyBuilder(lookup, key=lambda a, b=2, *rest, **kw: f"item-{a}")
    assert builder.build(builder.bind((5,), {})).endswith(":item-5")
    wrong = KeyBuilder(lookup, key=lambda *a, **k: 5)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="returned int, not str"):
        wrong.build(wrong.bind((5,), {}))


def test_arguments_that_do_not_fit_the_signature_are_refused_as_a_call_would_be() -> None:
    with pytest.raises(TypeError):
        KEYS.bind((), {})


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_common_value_types_have_stable_encodings() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    ident = uuid.UUID(int=7)
    for value in (Colour.RED, Point(1, 2), when, ident, {1, 2}):
        assert key(value) == key(value)
    assert key(Point(1, 2)) != key(Point(2, 1))
    assert canonical(Colour.RED)[0] == "enum"


def test_an_object_with_no_stable_encoding_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"argument 'a' of .*lookup.*cannot be part of a cache key"):
        key(object())


def test_keys_are_the_same_in_another_python_process() -> None:
    # Strings hash differently in every process; a key that used hash() would differ here.
    probe = textwrap.dedent(
        """
        import json, sys
        sys.path.insert(0, ".")
        from tests.caching.test_keys import key
        print(json.dumps([key("user", 1, flag=True, z=[1.5, None]), key(b"\\x00", {"a": (1,)})]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert json.loads(done.stdout) == [
        key("user", 1, flag=True, z=[1.5, None]),
        key(b"\x00", {"a": (1,)}),
    ]
