"""Stored results: only what JSON gives back unchanged, or what encode=/decode= make of it."""

from __future__ import annotations

from typing import Any

import pytest

from kvdeco.caching.results import ResultCodec, check_json


@pytest.mark.parametrize(
    "value",
    [None, True, 3, 2.5, "text", [1, [2, {"a": None}]], {"nested": {"list": [1.0, "x"]}}],
)
def test_json_values_are_stored_and_read_back_unchanged(value: Any) -> None:
    codec = ResultCodec("f")
    assert codec.read(codec.entry(value, None)) == (True, value, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((1, 2), "builtins.tuple"),
        ({1: "a"}, "dictionary key of type int"),
        (float("nan"), "JSON cannot represent"),
        ({"a": {1, 2}}, "builtins.set"),
    ],
)
def test_values_json_would_change_are_refused(value: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        check_json(value, "the result of f")


def test_encode_and_decode_carry_custom_types() -> None:
    codec = ResultCodec("f", encode=list, decode=tuple)
    assert codec.read(codec.entry((1, 2), 5.0)) == (True, (1, 2), 5.0)


def test_encode_without_decode_is_refused() -> None:
    with pytest.raises(TypeError, match="go together"):
        ResultCodec("f", encode=list)


@pytest.mark.parametrize(
    "entry",
    [None, {}, {"result": 1}, {"kvdeco_cached": 2, "result": 1}, {"kvdeco_cached": 1}],
)
def test_anything_but_an_entry_of_this_format_reads_as_a_miss(entry: Any) -> None:
    assert ResultCodec("f").read(entry) == (False, None, None)


def test_pydantic_models_are_stored_as_their_json_and_validated_on_the_way_out() -> None:
    pydantic = pytest.importorskip("pydantic")

    class User(pydantic.BaseModel):
        id: int
        tags: tuple[str, ...]

    codec = ResultCodec("f", returns=User)
    entry = codec.entry(User(id=1, tags=("a",)), None)
    assert entry["result"] == {"id": 1, "tags": ["a"]}
    found, user, _ = codec.read(entry)
    assert found and user == User(id=1, tags=("a",))
