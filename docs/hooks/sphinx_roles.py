"""A build hook: show the Sphinx roles of kvdeco's docstrings as plain code.

Docstrings write ``:class:`~kvdeco.errors.DecryptionError``` so that they read well in
``help()`` and in IDEs. mkdocstrings renders that as ``:class:`` followed by code; this hook
drops the role and, as Sphinx does for ``~``, keeps only the last part of the dotted name.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):<code>(~?)([^<]*)</code>")


def _plain(match: re.Match[str]) -> str:
    name = match.group(2)
    return f"<code>{name.rsplit('.', 1)[-1] if match.group(1) else name}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    """Rewrite the roles in a page's HTML."""
    return _ROLE.sub(_plain, html)
