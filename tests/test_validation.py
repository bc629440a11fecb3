"""The shared value rules: what they write is what they always wrote."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given

from kvdeco.testing import strategies as kst
from kvdeco.validation import dump_value, load_value

_REFERENCE = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@given(kst.json_mappings(large=False))
@example({"text": "caf\u00e9 \u4e2d\u6587"})
@example({"lone": "\ud800"})
@example({"control": "a\x01b", "backslash-u": "\\u0041"})
def test_dump_value_writes_compact_json_with_text_as_it_is(value: dict[str, Any]) -> None:
    text = dump_value(value, "put", None, "k")
    assert text == _REFERENCE.encode(value)
    assert load_value(text) == value
