"""The fault scenarios as a longer soak run that prints each ledger.

Run from the repository root (needs ``redis-server`` on ``PATH``)::

    python -m tests.faults.soak                 # 10 s before, during and after each fault
    python -m tests.faults.soak --phase 30 --tasks 100

Four scenarios: a pause (SIGSTOP/SIGCONT), a kill and restart with an append-only file fsynced
on every write, the same without persistence, and a pause with ``write_to_fallback=True``.
It exits with status 1 if any scenario broke a promise (a lost acknowledged write, a
resurrected delete, a partial bulk write, a wrong read, an unfinished task, a leaked
connection, a failure after recovery); the last scenario loses writes by design and only
prints how many.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
from pathlib import Path

from tests.faults.scenarios import Plan, run
from tests.faults.test_redis_faults import (
    KILL_DURABLE,
    KILL_VOLATILE,
    PAUSE,
    PAUSE_WRITING_TO_FALLBACK,
)

__all__ = ["main"]


def _plans(phase: float, tasks: int) -> list[Plan]:
    return [
        dataclasses.replace(plan, warmup=phase, fault_seconds=phase, recovery=phase, tasks=tasks)
        for plan in (PAUSE, KILL_DURABLE, KILL_VOLATILE, PAUSE_WRITING_TO_FALLBACK)
    ]


async def _soak(phase: float, tasks: int) -> int:
    broken = 0
    for plan in _plans(phase, tasks):
        with tempfile.TemporaryDirectory(prefix="kvdeco-soak-") as directory:
            summary, _ = await run(plan, Path(directory))
        print(summary.render())
        bad = {name: count for name, count in summary.violations.items() if count}
        print(f"violations: {bad or 'none'}\n", flush=True)
        broken += bool(bad) and not plan.write_to_fallback  # that one loses writes by design
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    """Run every scenario for ``--phase`` seconds per phase; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tests.faults.soak", description=__doc__)
    parser.add_argument("--phase", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--tasks", type=int, default=50, help="concurrent workers")
    options = parser.parse_args(argv)
    return asyncio.run(_soak(options.phase, options.tasks))


if __name__ == "__main__":
    sys.exit(main())
