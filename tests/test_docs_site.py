"""The built site: docstrings render as code, tables have no empty header, errors have entries.

The site is built once for the module, strict, into a temporary directory, as CI builds it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kvdeco.errors

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def _pages(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): path.read_text(encoding="utf-8")
        for path in site.rglob("*.html")
    }


def test_no_page_has_a_quote_block(site: Path) -> None:
    # No page of the docs writes a Markdown quote; one in the HTML is a docstring's ``>>>``
    # lines rendered as nested quotes instead of code.
    quoted = sorted(name for name, html in _pages(site).items() if "<blockquote>" in html)
    assert quoted == []


def test_docstring_examples_render_as_highlighted_console_code(site: Path) -> None:
    html = (site / "wrappers" / "retry" / "index.html").read_text(encoding="utf-8")
    assert '<span class="gp">&gt;&gt;&gt; </span>' in html


def test_no_table_has_an_empty_header_row(site: Path) -> None:
    empty = re.compile(r"<thead>\s*<tr>(?:\s*<th[^>]*>\s*</th>)+\s*</tr>\s*</thead>")
    assert sorted(name for name, html in _pages(site).items() if empty.search(html)) == []
    summary = (site / "wrappers" / "retry" / "index.html").read_text(encoding="utf-8")
    assert "wrapper class" in summary  # the summary table itself is still there


def test_every_error_class_has_its_own_entry_and_no_rest_marker_shows(site: Path) -> None:
    html = (site / "reference" / "index.html").read_text(encoding="utf-8")
    for name in kvdeco.errors.__all__:
        assert f'id="kvdeco.errors.{name}"' in html, name
    assert "without knowing kvdeco::" not in html


def test_long_code_lines_wrap_instead_of_scrolling(site: Path) -> None:
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "pre-wrap" in css
    assert 'href="../stylesheets/extra.css"' in (site / "reference" / "index.html").read_text(
        encoding="utf-8"
    )
