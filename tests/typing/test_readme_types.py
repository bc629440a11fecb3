"""The README's first example passes ``mypy --strict`` as it is written there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

README = Path(__file__).resolve().parents[2] / "README.md"


def first_python_block(text: str) -> str:
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match is not None, "the README has no python example"
    return match.group(1)


def test_the_readme_example_passes_mypy_strict(tmp_path: Path) -> None:
    example = tmp_path / "readme_example.py"
    example.write_text(first_python_block(README.read_text(encoding="utf-8")), encoding="utf-8")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(example)]
    )
    assert status == 0, out + err
