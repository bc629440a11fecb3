"""The stack of wrappers every store's contract is also run through."""

from __future__ import annotations

from typing import Any

from kvdeco import prefix_keys, with_retry, with_statistics, with_timeout


def wrapper_stack(store: Any) -> Any:
    """``store`` under statistics, retry, timeout and a key prefix (outermost first)."""
    return with_statistics(with_retry(with_timeout(5.0)(prefix_keys("tenant")(store))))
