"""A Griffe extension: docstrings written for ``help()`` and Sphinx render as code in the site.

- kvdeco's docstrings title their doctest section ``Example:``, as many projects do. Griffe
  reads only ``Examples:`` as the examples section; under any other title the ``>>>`` lines are
  taken for Markdown quote markers and rendered as nested quote blocks with the code run
  together. The section is retitled before the docstring is parsed, so the lines render as code.
- A paragraph ending in reST's ``::`` introduces an indented literal block; Markdown renders the
  block as code already, so the marker becomes one ``:``, as Sphinx prints it.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_TITLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_LITERAL_MARKER = re.compile(r"(\S)::\n(?=\s*\n)")


def as_markdown(text: str) -> str:
    """``text`` with ``Example:`` retitled ``Examples:`` and reST's ``::`` markers made ``:``."""
    return _LITERAL_MARKER.sub(r"\1:\n", _EXAMPLE_TITLE.sub(r"\1Examples:", text))


class ExamplesAsCode(griffe.Extension):
    """Rewrite every docstring with :func:`as_markdown` before it is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is not None:
            docstring.value = as_markdown(docstring.value)
