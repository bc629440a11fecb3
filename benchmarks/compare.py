"""kvdeco and py-key-value side by side: ``python benchmarks/compare.py [--quick] [--json PATH]``.

Runs both libraries on the same workloads in one process, interleaved, and prints medians,
interquartile ranges and the ratio kvdeco / py-key-value per row (see docs/performance.md).
The Redis rows use the server at ``--url`` (default ``redis://127.0.0.1:6379/0``) in a fresh
key namespace whose keys are deleted afterwards; ``--no-redis`` skips them. py-key-value
(``py-key-value-aio``, the ``bench`` extra) is optional: without it the table has kvdeco's
columns only.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable
from typing import TextIO

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from benchmarks.layers import LAYERS, PASS_THROUGH, memory_cases
from benchmarks.measurement import SIZES, measure
from benchmarks.redis_rows import RedisBench
from benchmarks.report import Report, rows_of


async def _run(
    *,
    sizes: list[str],
    layers: Iterable[str],
    bulk: bool,
    url: str | None,
    bulk_sizes: list[str],
    repetitions: int,
    target: float,
    progress: TextIO | None,
) -> Report:
    cases = await memory_cases(sizes, layers, bulk)
    redis_bench = RedisBench(url) if url else None
    try:
        if redis_bench is not None:
            cases += await redis_bench.cases(sizes, bulk_sizes)
        await measure(cases, repetitions, target, progress)
    finally:
        if redis_bench is not None:
            await redis_bench.close()
    tag = None if redis_bench is None else redis_bench.tag
    return Report(rows_of(cases), repetitions, redis_namespace=tag)


def run(
    *,
    quick: bool = False,
    url: str | None = None,
    progress: TextIO | None = None,
    repetitions: int | None = None,
    target: float | None = None,
) -> Report:
    """Run the benchmark table and return it.

    Args:
        quick: Fewer repetitions, one value size (1 KiB) and the pass-through layers only.
        url: A Redis URL for the Redis rows (keys go to a fresh namespace and are deleted).
        progress: Where to report progress, if anywhere.
        repetitions: Batches per row and implementation, instead of the mode's default.
        target: Seconds per batch, instead of the mode's default.
    """
    if quick:
        sizes, layers, bulk_sizes = ["1 KiB"], [*PASS_THROUGH, "timeout"], ["1 KiB"]
        default_repetitions, default_target = 7, 0.002
    else:
        sizes, layers, bulk_sizes = list(SIZES), list(LAYERS), ["16 B", "1 KiB"]
        default_repetitions, default_target = 25, 0.004
    repetitions = repetitions or default_repetitions
    target = target or default_target
    return asyncio.run(
        _run(
            sizes=sizes,
            layers=layers,
            bulk=True,
            url=url,
            bulk_sizes=bulk_sizes,
            repetitions=repetitions,
            target=target,
            progress=progress,
        )
    )


def main(argv: list[str] | None = None) -> int:
    """The command line: ``[--quick] [--json PATH] [--url URL] [--no-redis]``."""
    import argparse

    parser = argparse.ArgumentParser(description="kvdeco and py-key-value, side by side")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and rows")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--url", default="redis://127.0.0.1:6379/0", help="Redis URL")
    parser.add_argument("--no-redis", action="store_true", help="skip the Redis rows")
    args = parser.parse_args(argv)
    report = run(quick=args.quick, url=None if args.no_redis else args.url, progress=sys.stderr)
    print(report.render())
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report.to_json(), file, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
