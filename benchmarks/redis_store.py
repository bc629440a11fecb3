"""RedisStore's bare get and put against raw redis-py doing the same work.

"The same work" is what a store must do: build the Redis key, serialise the value to compact
JSON and write it (put); read it and parse it back (get). Both sides share one connection
pool setting and run interleaved, best of several rounds, so noise from other load on the
machine hits both alike.

Usage::

    python benchmarks/redis_store.py [redis-url] [operations per round]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio

from kvdeco.stores.redis import RedisStore

VALUE = {"name": "Ada", "tags": ["x", "y"], "n": 42, "nested": {"ok": True, "f": 1.5}}


async def _timed(work: Callable[[int], Awaitable[object]], count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        await work(i)
    return (time.perf_counter() - start) / count * 1e6


async def main(url: str, count: int) -> None:
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    store = RedisStore(url, namespace=namespace)
    raw = redis.asyncio.Redis.from_url(url)
    encode = json.JSONEncoder(separators=(",", ":")).encode
    prefix = f"{namespace}raw:1:c:"
    keys = [f"k{i % 100}" for i in range(count)]

    async def raw_put(i: int) -> None:
        await raw.set(prefix + keys[i], encode(VALUE))

    async def raw_get(i: int) -> object:
        found = await raw.get(prefix + keys[i])
        return None if found is None else json.loads(found)

    async def store_put(i: int) -> None:
        await store.put(keys[i], VALUE, collection="c")

    async def store_get(i: int) -> object:
        return await store.get(keys[i], collection="c")

    best: dict[str, float] = {}
    try:
        for work in (raw_put, store_put, raw_get, store_get):  # warm up and fill
            await work(0)
        for _ in range(7):
            for name, work in (
                ("raw put", raw_put),
                ("store put", store_put),
                ("raw get", raw_get),
                ("store get", store_get),
            ):
                micros = await _timed(work, count)
                best[name] = min(best.get(name, micros), micros)
    finally:
        await store.destroy()
        await raw.delete(*[prefix + f"k{i}" for i in range(100)])
        await store.close()
        await raw.aclose()
    for op in ("put", "get"):
        ratio = best[f"store {op}"] / best[f"raw {op}"]
        print(
            f"{op}: raw redis-py {best[f'raw {op}']:.1f} us, "
            f"RedisStore {best[f'store {op}']:.1f} us, ratio {ratio:.3f}"
        )


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "redis://127.0.0.1:6379/0"
    per_round = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    asyncio.run(main(target, per_round))
