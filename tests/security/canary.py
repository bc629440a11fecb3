"""A secret that must never leave the value it was put in."""

from __future__ import annotations

import traceback

__all__ = ["CANARY", "rendered"]

CANARY = "canary-7f3a9c-do-not-log"
"""Put inside values; finding it in a message, a log line or a repr is a leak."""


def rendered(error: BaseException) -> str:
    """Everything a traceback of ``error`` shows: its message, repr and the chain before it."""
    return "".join(traceback.format_exception(error)) + repr(error)
