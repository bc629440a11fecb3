"""What the resilience layers cost per ``get``: ``python benchmarks/resilience.py``.

Side by side in one process, interleaved: a ``get`` hit on a MemoryStore, alone and through a
circuit breaker (closed), a fail-open layer, a concurrency limit, and, for the case the breaker
exists for, a fallback answering while the breaker over its primary is open. Prints medians of
the repetitions, the interquartile range and the overhead over the plain ``get``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _table import overhead_table, per_call

from kvdeco import (
    CircuitBreakerWrapper,
    ConcurrencyLimitWrapper,
    FailOpenWrapper,
    FallbackWrapper,
    MemoryStore,
    StoreConnectionError,
)


class _Down(MemoryStore):
    async def get(self, key: str, *, collection: str | None = None) -> Any:
        raise StoreConnectionError("down", operation="get")


async def _stores() -> dict[str, Any]:
    opened = CircuitBreakerWrapper(_Down(), failure_threshold=1, recovery_timeout=3600)
    with contextlib.suppress(StoreConnectionError):
        await opened.get("k")  # the breaker is open from here on
    backup = MemoryStore()
    return {
        "get": MemoryStore(),
        "circuit breaker, closed": CircuitBreakerWrapper(MemoryStore()),
        "fail-open": FailOpenWrapper(MemoryStore()),
        "concurrency limit (100)": ConcurrencyLimitWrapper(MemoryStore(), 100),
        "fallback over an open breaker": FallbackWrapper(opened, backup),
        "_backup": backup,
    }


async def run(repetitions: int, calls: int) -> dict[str, list[float]]:
    """Per row, the microseconds per call of each repetition."""
    stores = await _stores()
    await stores.pop("_backup").put("k", {"v": 1})
    for name, store in stores.items():
        if name != "fallback over an open breaker":
            await store.put("k", {"v": 1})
    samples: dict[str, list[float]] = {name: [] for name in stores}
    for _ in range(repetitions):
        for name, store in stores.items():
            samples[name].append(await per_call(lambda s=store: s.get("k"), calls))
    return samples


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args(argv)
    print(overhead_table(asyncio.run(run(args.repetitions, args.calls)), "get"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
