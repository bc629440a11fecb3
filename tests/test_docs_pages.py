"""The documentation covers what the code has: a page per wrapper, each in the site's menu."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import kvdeco.wrappers

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WRAPPERS = sorted(
    module.name
    for module in pkgutil.iter_modules(kvdeco.wrappers.__path__)
    if not module.name.startswith("_") and module.name != "base"
)
SECTIONS = (
    "## Example",
    "## Use cases",
    "## Performance considerations",
    "## Security considerations",
    "## API",
)


def test_every_wrapper_module_is_found() -> None:
    assert "retry" in WRAPPERS and "encryption" in WRAPPERS and "base" not in WRAPPERS


@pytest.mark.parametrize("name", WRAPPERS)
def test_every_wrapper_has_a_page_with_every_section(name: str) -> None:
    page = (DOCS / "wrappers" / f"{name}.md").read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"\n{section}\n" in page, f"{name}.md lacks {section!r}"
    assert f"::: kvdeco.wrappers.{name}." in page, f"{name}.md has no API reference"
    box = page.split('!!! info "Measured cost"', 1)
    assert len(box) == 2, f"{name}.md has no box for its measured cost"
    assert "../performance.md#the-table" in box[1].split("\n## ", 1)[0], (
        f"{name}.md's measured cost does not point to the table it quotes"
    )
    assert "<!-- BENCHMARK:" not in page, f"{name}.md still has a placeholder for its figures"


@pytest.mark.parametrize("name", WRAPPERS)
def test_every_wrapper_page_is_in_the_menu_and_the_overview(name: str) -> None:
    assert f"wrappers/{name}.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"]({name}.md)" in (DOCS / "wrappers" / "index.md").read_text(encoding="utf-8")
