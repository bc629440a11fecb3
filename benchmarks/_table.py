"""What the small side-by-side benchmarks share: timing a batch of calls, printing the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def per_call(op: Callable[[], Awaitable[Any]], calls: int) -> float:
    """Microseconds per call of ``op``, over ``calls`` calls in a row."""
    start = time.perf_counter()
    for _ in range(calls):
        await op()
    return (time.perf_counter() - start) / calls * 1e6


def overhead_table(samples: dict[str, list[float]], floor_row: str) -> str:
    """A Markdown table: per row the median, interquartile range, overhead and ratio."""
    floor = statistics.median(samples[floor_row])
    lines = [
        "| row | µs per call | [IQR] | overhead (µs) | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, values in samples.items():
        median = statistics.median(values)
        low, _, high = statistics.quantiles(values, n=4)
        extra = "" if name == floor_row else f"{median - floor:+.2f}"
        lines.append(
            f"| {name} | {median:.2f} | [{low:.2f}-{high:.2f}] | {extra} | {median / floor:.2f} |"
        )
    return "\n".join(lines)
