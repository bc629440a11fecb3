"""A griffe extension: docstrings written for ``help()`` read as Markdown in the reference.

- Google style names the section ``Examples:``; griffe takes the singular ``Example:`` for an
  admonition whose Markdown turns each ``>>>`` line into a nested blockquote. kvdeco's
  docstrings say ``Example:`` where there is one example, so the extension renames the
  heading before griffe parses the docstring.
- reST ends the paragraph before a literal block with ``::``, which Sphinx shows as ``:``;
  Markdown already reads the indented block as code, and would show the ``::`` itself.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)
_LITERAL_MARKER = re.compile(r"(\S)::[ \t]*\n(?=[ \t]*\n)")


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring griffe loads, before it is parsed."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _SINGULAR.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = _LITERAL_MARKER.sub("\\1:\n", text)
