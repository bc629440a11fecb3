"""The engine's cost per call, side by side: ``python benchmarks/engine.py [--repeat N]``.

Every row is the median over repetitions (the rows interleaved in each) of the time of one
``get`` of a present key over a ``MemoryStore``, in microseconds of this process's CPU time,
and its ratio to the floor measured in the same run: a hand-written pass-through layer (one
``async def`` that awaits the store). py-key-value's layers, when it is installed, are
measured in the same run, over its own ``MemoryStore``. A run takes a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import kvdeco

Get = Callable[[], Awaitable[Any]]


class PassThrough:
    """The floor: the cheapest layer a person would write by hand."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return await self.inner.get(key, collection=collection)


FIVE = (
    kvdeco.with_statistics(),
    kvdeco.prefix_keys("app"),
    kvdeco.ttl_clamp(1, 3600),
    kvdeco.with_retry(),
    kvdeco.prefix_collections("app"),
)
"""Five aspects, outermost first."""


def _stack_instance(store: Any) -> Any:
    for decorator in reversed(FIVE):
        store = decorator(store)
    return store


def _stack_class() -> Any:
    cls: Any = kvdeco.MemoryStore
    for decorator in reversed(FIVE):
        cls = decorator(cls)
    return cls()


def _pykv(name: str) -> Callable[[Any], Any] | None:
    try:
        from key_value.aio.stores.memory import MemoryStore as PykvMemory  # noqa: F401
        from key_value.aio.wrappers.prefix_keys import PrefixKeysWrapper
        from key_value.aio.wrappers.retry import RetryWrapper
        from key_value.aio.wrappers.statistics import StatisticsWrapper
    except ImportError:
        return None
    made: dict[str, Callable[[Any], Any]] = {
        "prefix keys": lambda s: PrefixKeysWrapper(key_value=s, prefix="app"),
        "statistics": lambda s: StatisticsWrapper(key_value=s),
        "retry": lambda s: RetryWrapper(key_value=s),
    }
    return made[name]


def cases() -> dict[str, Any]:
    """The rows, by name: each a store whose ``get("k")`` is measured."""
    rows: dict[str, Any] = {}
    base = kvdeco.MemoryStore()
    rows["MemoryStore"] = base
    rows["floor: hand-written pass-through"] = PassThrough(base)
    rows["prefix keys (instance)"] = kvdeco.prefix_keys("app")(base)
    rows["prefix keys (class)"] = kvdeco.prefix_keys("app")(kvdeco.MemoryStore)()
    rows["statistics (instance)"] = kvdeco.with_statistics(base)
    rows["retry (instance)"] = kvdeco.with_retry()(base)
    rows["ttl clamp, get not handled (instance)"] = kvdeco.ttl_clamp(1, 3600)(base)
    rows["read-only, get not handled (instance)"] = kvdeco.read_only(base)
    rows["ttl clamp, get not handled (class)"] = kvdeco.ttl_clamp(1, 3600)(kvdeco.MemoryStore)()
    rows["five aspects (instance)"] = _stack_instance(base)
    rows["five aspects (class)"] = _stack_class()
    try:
        from key_value.aio.stores.memory import MemoryStore as PykvMemory
    except ImportError:
        PykvMemory = None
    if PykvMemory is not None:
        pykv_base = PykvMemory()
        for name in ("prefix keys", "statistics", "retry"):
            make = _pykv(name)
            if make is not None:
                rows[f"py-key-value {name}"] = make(pykv_base)
        rows["py-key-value MemoryStore"] = pykv_base
    return rows


async def _prepare(rows: dict[str, Any]) -> None:
    # Every row reads a present key: write it through each row's own layers where it can
    # write (the pass-through and read-only rows share the plain store, written first).
    for store in rows.values():
        if hasattr(store, "put") and not isinstance(store, kvdeco.ReadOnlyWrapper):
            await store.put("k", {"v": 1})


async def _time(get: Get, count: int) -> float:
    # CPU time of this process, not wall time: on a shared machine the time spent waiting
    # for a core is not the engine's.
    start = time.process_time()
    for _ in range(count):
        await get()
    return (time.process_time() - start) / count * 1e6


async def measure(repeat: int, count: int) -> dict[str, float]:
    """Median microseconds per ``get`` of each row, the rows interleaved per repetition."""
    rows = cases()
    await _prepare(rows)
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(repeat):
        for name, store in rows.items():
            samples[name].append(await _time(lambda store=store: store.get("k"), count))
    return {name: statistics.median(values) for name, values in samples.items()}


def render(medians: dict[str, float]) -> str:
    """The rows as a Markdown table: time per ``get``, and ratios to the floor and to the
    same layer of py-key-value."""
    floor = medians["floor: hand-written pass-through"]
    lines = ["| row | µs per get | x floor | x py-key-value's layer |", "|---|---:|---:|---:|"]
    for name, value in medians.items():
        layer = name.split(" (")[0]
        theirs = medians.get(f"py-key-value {layer}") if "(" in name else None
        versus = f"{value / theirs:.3f}" if theirs else ""
        lines.append(f"| {name} | {value:.2f} | {value / floor:.2f} | {versus} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="repetitions per row")
    parser.add_argument("--count", type=int, default=4_000, help="gets per repetition")
    options = parser.parse_args(argv)
    print(render(asyncio.run(measure(options.repeat, options.count))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
