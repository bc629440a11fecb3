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
from typing import Any

from tests.faults.scenarios import run
from tests.faults.test_redis_faults import (
    KILL_DURABLE,
    KILL_VOLATILE,
    PAUSE,
    PAUSE_WRITING_TO_FALLBACK,
)

__all__ = ["main"]


SCENARIOS = {
    "pause": PAUSE,
    "kill-durable": KILL_DURABLE,
    "kill-volatile": KILL_VOLATILE,
    "pause-fallback-writes": PAUSE_WRITING_TO_FALLBACK,
}


async def _soak(options: argparse.Namespace) -> int:
    broken = 0
    changes: dict[str, Any] = {"tasks": options.tasks}
    if options.phase is not None:
        changes.update(warmup=options.phase, fault_seconds=options.phase, recovery=options.phase)
    if options.socket_timeout is not None:
        changes["socket_timeout"] = options.socket_timeout or None
    for name in options.scenarios:
        for _ in range(options.repeat):
            plan = dataclasses.replace(SCENARIOS[name], **changes)
            with tempfile.TemporaryDirectory(prefix="kvdeco-soak-") as directory:
                summary, _ = await run(plan, Path(directory))
            print(summary.render())
            bad = {key: count for key, count in summary.violations.items() if count}
            print(f"violations: {bad or 'none'}\n", flush=True)
            broken += bool(bad) and not plan.write_to_fallback  # that one loses writes by design
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios with the options of the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.faults.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--phase", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--tasks", type=int, default=50, help="concurrent workers")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scenario")
    parser.add_argument(
        "--socket-timeout",
        type=float,
        default=None,
        help="the Redis client's read deadline in seconds, 0 for none (default: the plan's)",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        default=list(SCENARIOS),
        metavar="NAME",
        help=f"scenarios to run, of {', '.join(SCENARIOS)} (default: all)",
    )
    options = parser.parse_args(argv)
    unknown = sorted(set(options.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}")
    return asyncio.run(_soak(options))


if __name__ == "__main__":
    sys.exit(main())
