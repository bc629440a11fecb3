"""A clock for tests: time that moves only when told to."""

from __future__ import annotations

__all__ = ["ManualClock"]


class ManualClock:
    """A clock that only moves when told to: pass it to the store and to the machine.

    Example:
        >>> clock = ManualClock()
        >>> start = clock()
        >>> clock.advance(5)
        >>> clock() - start
        5.0
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds

    def advance_to(self, instant: float) -> None:
        """Move the clock forward to exactly ``instant`` (never backward)."""
        self.now = max(self.now, float(instant))
