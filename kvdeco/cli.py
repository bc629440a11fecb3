"""The ``kvdeco`` command line.

``kvdeco demo`` runs a workload through a stack of wrappers over the embedded store and prints
what the statistics wrapper counted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Sequence
from typing import Any

from kvdeco.progress import ProgressBar
from kvdeco.stores.memory import MemoryStore
from kvdeco.wrappers.prefix_keys import prefix_keys
from kvdeco.wrappers.statistics import StatisticsWrapper

__all__ = ["main"]


async def run_demo(operations: int, seed: int, out: Any) -> StatisticsWrapper:
    """Run a mixed workload through statistics + prefix over MemoryStore and print a table."""
    store = StatisticsWrapper(prefix_keys("demo")(MemoryStore()))
    rng = random.Random(seed)
    progress = ProgressBar(operations, "demo")
    users = [f"user:{n}" for n in range(200)]
    for _ in range(operations):
        key = rng.choice(users)
        roll = rng.random()
        if roll < 0.45:
            await store.get(key, collection="sessions")
        elif roll < 0.75:
            await store.put(
                key, {"user": key, "visits": rng.randint(1, 99)}, collection="sessions", ttl=300
            )
        elif roll < 0.9:
            await store.get_many(rng.sample(users, 5), collection="sessions")
        else:
            await store.delete(key, collection="sessions")
        progress.advance()
    stats = store.get_statistics()
    print(f"{'operation':<10}{'count':>8}{'hits':>8}{'misses':>8}{'hit rate':>10}", file=out)
    for name in ("get", "ttl", "put", "delete"):
        row = getattr(stats, name)
        print(
            f"{name:<10}{row.count:>8}{row.hits:>8}{row.misses:>8}{row.hit_rate():>10.1%}",
            file=out,
        )
    keys = await store.keys("sessions")
    print(f"\n{len(keys)} live keys in 'sessions', stored under the prefix 'demo:'", file=out)
    return store


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(prog="kvdeco", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a workload through a stack of wrappers")
    demo.add_argument("--operations", type=int, default=5000, help="how many operations")
    demo.add_argument("--seed", type=int, default=7, help="seed of the random workload")
    args = parser.parse_args(argv)
    if args.command == "demo":
        asyncio.run(run_demo(args.operations, args.seed, sys.stdout))
    return 0
