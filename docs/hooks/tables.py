"""A build hook: drop the header row of a table whose header cells are all empty.

The wrapper pages open with a two-column summary (``| | |`` over ``| --- | --- |``): a list of
facts that needs no column titles. Markdown tables must have a header line, which renders as an
empty, shaded first row; this hook removes such a row from the page.
"""

from __future__ import annotations

import re
from typing import Any

_EMPTY_HEAD = re.compile(r"<thead>\s*<tr>(?:\s*<th[^>]*>\s*</th>)+\s*</tr>\s*</thead>\s*")


def on_page_content(html: str, **kwargs: Any) -> str:
    """Remove the empty header rows of the page's tables."""
    return _EMPTY_HEAD.sub("", html)
