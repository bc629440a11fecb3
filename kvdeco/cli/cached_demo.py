"""``kvdeco demo-cached``: a cached function over the production stack, and its hit rate.

A slow lookup (a few milliseconds, as a database or an API would take) is decorated with
:func:`kvdeco.cached` over the same stack ``kvdeco demo`` uses. Requests arrive in concurrent
bursts with a skewed choice of users, as real traffic does; afterwards the command prints how
often the function ran, how the calls were answered, and what the stack underneath counted.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any, TextIO

from kvdeco.caching import cached
from kvdeco.cli.stack import production_stack
from kvdeco.stores.memory import MemoryStore

__all__ = ["run_cached_demo"]

LOOKUP_SECONDS = 0.003


async def run_cached_demo(
    calls: int, seed: int, out: TextIO, *, store: Any = None, fernet: Any = None
) -> Any:
    """Run ``calls`` requests through a cached lookup and print what happened.

    Args:
        calls: How many calls of the cached function to make.
        seed: Seed of the random choice of users.
        out: Where the report is printed.
        store: The store under the stack; a fresh MemoryStore if omitted.
        fernet: The Fernet to encrypt with; a fresh random key if omitted.

    Returns:
        The cached function, with its statistics.
    """
    from cryptography.fernet import Fernet

    top = production_stack(
        MemoryStore() if store is None else store,
        fernet if fernet is not None else Fernet(Fernet.generate_key()),
    )[0]
    runs = 0

    @cached(top, ttl=300, collection="kvdeco-demo-profiles")
    async def fetch_profile(user_id: int) -> dict[str, Any]:
        nonlocal runs
        runs += 1
        await asyncio.sleep(LOOKUP_SECONDS)
        return {"id": user_id, "name": f"user {user_id}", "plan": ("free", "pro")[user_id % 2]}

    rng = random.Random(seed)
    users = list(range(100))
    weights = [1 / (rank + 1) for rank in users]  # a few users make most of the requests
    started = time.perf_counter()
    done = 0
    while done < calls:
        burst = min(50, calls - done)
        chosen = rng.choices(users, weights, k=burst)
        await asyncio.gather(*[fetch_profile(user) for user in chosen])
        done += burst
    await fetch_profile.wait_pending()
    elapsed = time.perf_counter() - started
    _report(fetch_profile, runs, calls, elapsed, top, out)
    return fetch_profile


def _report(function: Any, runs: int, calls: int, elapsed: float, top: Any, out: TextIO) -> None:
    stats = function.statistics
    print(f"calls of fetch_profile     {calls:>8}", file=out)
    print(f"runs of the function       {runs:>8}", file=out)
    print(f"answered by the store      {stats.hits + stats.stale_hits:>8}", file=out)
    print(f"joined a running call      {stats.joined:>8}", file=out)
    print(f"store errors absorbed      {stats.errors:>8}", file=out)
    print(f"store hit rate             {stats.hit_rate:>8.1%}", file=out)
    print(f"calls that ran nothing     {1 - runs / calls if calls else 0:>8.1%}", file=out)
    print(
        f"\nthe lookup ran {runs} times ({runs * LOOKUP_SECONDS:.2f} s of its time) instead of "
        f"{calls} ({calls * LOOKUP_SECONDS:.2f} s); the run took {elapsed:.2f} s",
        file=out,
    )
    get = top.get_statistics("kvdeco-demo-profiles").get
    print(
        f"the stack counted {get.count} gets ({get.hits} hits) and "
        f"{top.get_statistics('kvdeco-demo-profiles').put.count} puts",
        file=out,
    )
