"""A bounded latency histogram: count, total, maximum and percentiles in fixed memory.

Durations fall into buckets whose bounds grow by a factor of ``2 ** (1 / 8)`` (about 9 %) from
one microsecond to about a day, so a percentile is known within 9 % of its true value whatever
the durations are, and a histogram never holds more than a few hundred counters, however many
calls it has seen. Durations under a microsecond share the first bucket.
"""

from __future__ import annotations

import math

__all__ = ["LatencyHistogram"]

_PER_OCTAVE = 8
_SMALLEST = 1e-6
_BUCKETS = _PER_OCTAVE * 37  # 2**37 microseconds is about 38 hours


def _bucket(seconds: float) -> int:
    if seconds <= _SMALLEST:
        return 0
    index = int(math.log2(seconds / _SMALLEST) * _PER_OCTAVE) + 1
    return index if index < _BUCKETS else _BUCKETS - 1


def _upper_bound(index: int) -> float:
    return _SMALLEST * 2 ** (index / _PER_OCTAVE)


class LatencyHistogram:
    """Durations of one kind of operation, in seconds.

    Example:
        >>> histogram = LatencyHistogram()
        >>> for ms in range(1, 101):
        ...     histogram.record(ms / 1000)
        >>> histogram.count, round(histogram.max, 3)
        (100, 0.1)
        >>> 0.045 < histogram.p50 < 0.055
        True
    """

    __slots__ = ("_counts", "count", "max", "total")

    def __init__(self) -> None:
        self._counts: dict[int, int] = {}
        self.count = 0
        """Durations recorded."""
        self.total = 0.0
        """Their sum, in seconds."""
        self.max = 0.0
        """The longest, in seconds."""

    def record(self, seconds: float) -> None:
        """Add one duration."""
        index = _bucket(seconds)
        self._counts[index] = self._counts.get(index, 0) + 1
        self.count += 1
        self.total += seconds
        if seconds > self.max:
            self.max = seconds

    def merge(self, other: LatencyHistogram) -> None:
        """Add every duration ``other`` recorded."""
        for index, count in other._counts.items():
            self._counts[index] = self._counts.get(index, 0) + count
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)

    @property
    def mean(self) -> float:
        """The average duration; ``0.0`` before any."""
        return self.total / self.count if self.count else 0.0

    def quantile(self, fraction: float) -> float:
        """The duration that ``fraction`` (0 to 1) of the recorded ones do not exceed.

        Within one bucket (about 9 %) of the true value, and never above :attr:`max`;
        ``0.0`` before any duration is recorded.
        """
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
        if not self.count:
            return 0.0
        wanted = max(1, math.ceil(fraction * self.count))
        seen = 0
        for index in sorted(self._counts):
            seen += self._counts[index]
            if seen >= wanted:
                return min(_upper_bound(index), self.max)
        return self.max  # pragma: no cover - the counts add up to self.count

    @property
    def p50(self) -> float:
        """The median duration."""
        return self.quantile(0.5)

    @property
    def p95(self) -> float:
        """The 95th percentile."""
        return self.quantile(0.95)

    @property
    def p99(self) -> float:
        """The 99th percentile."""
        return self.quantile(0.99)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatencyHistogram) and (
            self._counts,
            self.count,
            self.total,
            self.max,
        ) == (other._counts, other.count, other.total, other.max)

    def __repr__(self) -> str:
        return (
            f"LatencyHistogram(count={self.count}, p50={self.p50:.6f}, p99={self.p99:.6f}, "
            f"max={self.max:.6f})"
        )
