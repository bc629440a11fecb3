"""The built site: docstrings render as Markdown (code, not quotes), tables have no empty header,
and a decorator made by a factory reads as a function, with its options.

The site is built once for the module, strictly, as ``mkdocs build --strict`` does in CI.
"""

from __future__ import annotations

import html
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import kvdeco.errors
import kvdeco.wrappers
from kvdeco._factory import CalledDecoratorFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    pytest.importorskip("mkdocstrings", reason="the docs extra is not installed")
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", target],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    yield target
    shutil.rmtree(target, ignore_errors=True)


class _DocstringQuotes(HTMLParser):
    """Counts ``<blockquote>`` elements inside mkdocstrings' ``doc-contents`` blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # open <div>s since the outermost doc-contents one, 0 when outside
        self.quotes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div":
            classes = (dict(attrs).get("class") or "").split()
            if self.depth or "doc-contents" in classes:
                self.depth += 1
        elif tag == "blockquote" and self.depth:
            self.quotes += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1


def docstring_quotes(page: Path) -> int:
    parser = _DocstringQuotes()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.quotes


def test_no_docstring_renders_as_a_blockquote(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert any("doc-contents" in page.read_text(encoding="utf-8") for page in pages)
    quoted = [str(page.relative_to(site)) for page in pages if docstring_quotes(page)]
    assert quoted == []


def test_a_docstring_example_renders_as_highlighted_python(site: Path) -> None:
    page = (site / "wrappers" / "retry" / "index.html").read_text(encoding="utf-8")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in page


def test_every_error_class_has_its_own_entry_and_no_rest_marker_shows(site: Path) -> None:
    page = (site / "reference" / "index.html").read_text(encoding="utf-8")
    classes = [
        name
        for name, value in vars(kvdeco.errors).items()
        if inspect.isclass(value)
        and issubclass(value, kvdeco.errors.BaseKeyValueError)
        and value.__module__ == "kvdeco.errors"
    ]
    assert "StoreTimeoutError" in classes
    missing = [name for name in classes if f'id="kvdeco.errors.{name}"' not in page]
    assert missing == []
    assert "::</p>" not in page


def test_no_table_has_an_empty_header_row(site: Path) -> None:
    empty = re.compile(r"<thead>\s*<tr>(?:\s*<th(?:\s[^>]*)?>\s*</th>)+\s*</tr>")
    pages = sorted(site.rglob("*.html"))
    assert "<td>wrapper class</td>" in (site / "wrappers" / "retry" / "index.html").read_text()
    assert [str(p.relative_to(site)) for p in pages if empty.search(p.read_text())] == []


def test_long_code_lines_wrap_instead_of_running_off_the_page(site: Path) -> None:
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert re.search(r"pre\s*>\s*code\s*\{[^}]*white-space:\s*pre-wrap", css)
    page = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert 'href="../stylesheets/extra.css"' in page


def _factory_decorators() -> dict[str, CalledDecoratorFactory[Any, Any]]:
    """Every decorator a factory made, by name, from the wrapper modules that define it."""
    found = {}
    for info in pkgutil.walk_packages(kvdeco.wrappers.__path__, "kvdeco.wrappers."):
        for name, value in vars(importlib.import_module(info.name)).items():
            if isinstance(value, CalledDecoratorFactory) and value.__name__ == name:
                found[name] = value
    return found


def _entry_text(pages: list[str], name: str) -> str:
    """The text of the API entry of ``name`` (whichever module path it is documented under)."""
    heading = re.compile(rf'<h3 id="kvdeco\.[\w.]*\.{name}" class="doc doc-heading">')
    for page in pages:
        match = heading.search(page)
        if match:
            entry = page[match.end() :].split('<div class="doc doc-object ', 1)[0]
            return html.unescape(re.sub(r"<[^>]+>", "", entry))
    raise AssertionError(f"{name} has no entry in the API reference")


def test_a_decorator_made_by_a_factory_shows_its_options_and_docstring(site: Path) -> None:
    decorators = _factory_decorators()
    assert {"ttl_clamp", "prefix_keys", "encrypted", "ttl_jitter", "with_retry"} <= set(decorators)
    pages = [page.read_text(encoding="utf-8") for page in sorted(site.rglob("*.html"))]
    for name, decorator in decorators.items():
        shown = " ".join(_entry_text(pages, name).split())
        assert f"{name}(" in shown and "DecoratorFactory(" not in shown, name
        for option in inspect.signature(decorator.aspect).parameters:
            assert f"{option}:" in shown, (name, option)
        summary = " ".join((decorator.__doc__ or "").split("\n\n", 1)[0].split())
        assert summary.replace("``", "") in shown, name


@pytest.mark.parametrize(
    ("page", "decorator", "option"),
    [
        ("circuit_breaker", "with_circuit_breaker", "failure_threshold"),
        ("routing", "route_collections", "collection_map"),
        ("telemetry", "traced", "record_keys"),
    ],
)
def test_a_decorator_shows_its_options_and_docstring_not_its_factory(
    site: Path, page: str, decorator: str, option: str
) -> None:
    html = (site / "wrappers" / page / "index.html").read_text(encoding="utf-8")
    start = html.index(f'id="kvdeco.wrappers.{page}.{decorator}"')
    entry = html[start : html.find('<div class="doc doc-object', start)]
    assert "doc-function" in html[html.rfind("<div", 0, start) : start]
    assert option in entry and "Decorate a store class or instance" in entry
    assert "Factory(" not in entry
