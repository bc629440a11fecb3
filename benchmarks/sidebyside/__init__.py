"""Side-by-side benchmarks: kvdeco and py-key-value on the same workloads, in the same run.

:func:`run` times every row as medians of repeated batches, interleaving the libraries (and,
for some rows, a *floor*: the least work that could give the same result, such as raw
redis-py plus ``json.loads``). A row of a wrapper alone reports its *overhead*: the wrapped
store's time minus the bare store's, paired repetition by repetition. py-key-value
(``py-key-value-aio``) is optional: without it the table has kvdeco's columns only.

:func:`run_quick` prints the quick table; ``benchmarks/compare.py`` runs the full one.

Example:
    >>> from sidebyside import run_quick
    >>> report = run_quick()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable
from typing import TextIO

from .layers import _LAYERS, PASS_THROUGH, memory_cases
from .measurement import SIZES, Case, Row, Summary, _rows, measure
from .redis_rows import RedisBench
from .report import Report

__all__ = ["SIZES", "Case", "Report", "Row", "Summary", "main", "run", "run_quick"]

# -- entry points -----------------------------------------------------------------------


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
    return Report(_rows(cases), repetitions, redis_namespace=tag)


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
        sizes, layers, bulk_sizes = list(SIZES), list(_LAYERS), ["16 B", "1 KiB"]
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


def run_quick(url: str | None = None, *, out: TextIO | None = None) -> Report:
    """Run the quick table over MemoryStore (and Redis at ``url``), print it, return it.

    Works without py-key-value installed: the table then has kvdeco's columns only.

    Args:
        url: A Redis URL to add the Redis rows, such as ``"redis://127.0.0.1:6379/0"``.
        out: Where to print the table; standard output by default.
    """
    out = sys.stdout if out is None else out
    report = run(quick=True, url=url, progress=sys.stderr)
    print(report.render(), file=out)
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line of ``benchmarks/compare.py``: ``[--quick] [--json PATH] [--url URL]``."""
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
