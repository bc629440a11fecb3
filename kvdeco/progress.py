"""A dependency-free progress bar for the command line."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line progress bar redrawn in place on a terminal, or printed at the end elsewhere.

    Args:
        total: The count that means done.
        label: Shown before the bar.
        stream: Where to draw; standard error by default.
        width: Characters of bar.
    """

    def __init__(
        self, total: int, label: str = "", stream: TextIO | None = None, width: int = 30
    ) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.done = 0
        self._drawn = -1
        self._live = self.stream.isatty()

    def advance(self, count: int = 1) -> None:
        """Record ``count`` more units of work and redraw if the bar moved."""
        self.done = min(self.done + count, self.total)
        filled = self.done * self.width // self.total
        if filled != self._drawn and (self._live or self.done == self.total):
            self._drawn = filled
            bar = "#" * filled + "-" * (self.width - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}{end}")
            self.stream.flush()
