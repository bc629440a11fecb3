"""A build hook: drop a table's header row when all its cells are empty.

Markdown tables must have a header row; the summary table at the top of each wrapper page
(a name and a value per row) has nothing to put in it, and would show an empty bar.
"""

from __future__ import annotations

import re
from typing import Any

_EMPTY_HEADER = re.compile(r"<thead>\s*<tr>(?:\s*<th(?:\s[^>]*)?>\s*</th>)+\s*</tr>\s*</thead>\s*")


def on_page_content(html: str, **kwargs: Any) -> str:
    """Remove the empty header rows of a page's tables."""
    return _EMPTY_HEADER.sub("", html)
