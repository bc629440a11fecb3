"""Strict base64 decoding refuses exactly what ``base64.b64decode(validate=True)`` refuses."""

from __future__ import annotations

import base64
import binascii

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kvdeco.wrappers._base64 import b64decode_strict


def _reference(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return None


def _strict(text: str) -> bytes | None:
    try:
        return b64decode_strict(text)
    except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
        return None


@given(st.text(alphabet="AQw+/=-_ \n\u00e9", max_size=12))
@example("AB==")
@example("AB=C")
@example("A===")
@example("ABCD=")
@example("")
def test_decodes_and_refuses_like_the_standard_library(text: str) -> None:
    assert _strict(text) == _reference(text)


@given(st.binary())
def test_round_trips_any_bytes(data: bytes) -> None:
    assert b64decode_strict(base64.b64encode(data).decode("ascii")) == data


@pytest.mark.parametrize("text", ["AB CD", "AB-_", "ABC\n", "é"])
def test_refuses_characters_outside_the_alphabet(text: str) -> None:
    with pytest.raises(ValueError):
        b64decode_strict(text)
