"""Measuring: the values written, timing repeated batches, and the statistics kept."""

from __future__ import annotations

import dataclasses
import gc
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TextIO

SIZES: dict[str, int] = {"16 B": 16, "1 KiB": 1024, "64 KiB": 65536}
"""The value sizes, by label: the length of the value's compact JSON."""

KVDECO, PYKV, FLOOR = "kvdeco", "py-key-value", "floor"
BULK = 100
"""How many keys a ``get_many`` or ``put_many`` row handles per call."""

Op = Callable[[], Awaitable[Any]]
_WORDS = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "store",
    "cache",
    "value",
    "key",
    "redis",
    "memory",
    "retry",
    "timeout",
    "fernet",
    "gzip",
    "json",
    "python",
    "async",
    "session",
    "user",
    "order",
)


# -- values -----------------------------------------------------------------------------


def _text(length: int, seed: int) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(_WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


def _record(size: int, seed: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": 1000 + seed,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "active": True,
        "score": 97.5,
        "tags": ["admin", "beta", "eu"],
        "bio": "",
    }
    record["bio"] = _text(max(size - len(_compact(record)), 0), seed)
    return record


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def make_value(size: int) -> dict[str, Any]:
    """A JSON object whose compact JSON is about ``size`` bytes, shaped like real data.

    Small values are one short field; 1 KiB is a user record with some text; larger values
    are lists of such records, so that copying and serialising cost what they cost in use.
    """
    if size <= 64:
        return {"v": "x" * max(size - 8, 0)}
    if size <= 4096:
        return _record(size)
    return {"items": [_record(1024, n) for n in range(size // 1026)]}


# -- statistics -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Summary:
    """Microseconds per call over the repetitions: median, quartiles, extremes."""

    median: float
    q1: float
    q3: float
    low: float
    high: float

    @classmethod
    def of(cls, samples: list[float]) -> Summary:
        """Summarise per-call times (µs)."""
        ordered = sorted(samples)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return cls(statistics.median(ordered), q1, q3, ordered[0], ordered[-1])


@dataclasses.dataclass
class Case:
    """One workload, with the operation each implementation runs.

    Attributes:
        group: The table section (``"MemoryStore"``, ``"one layer (overhead)"``...).
        name: The workload (``"get hit"``, ``"put"``...).
        size: The value size label.
        ops: The zero-argument coroutine function of each implementation.
        baseline: For an overhead row, the bare case whose time is subtracted.
        note: Shown after the row (``"1 round trip"``).
    """

    group: str
    name: str
    size: str
    ops: dict[str, Op]
    baseline: Case | None = None
    note: str = ""
    samples: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    batch: dict[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Row:
    """The result of one case: a summary per implementation, overheads for wrapper rows."""

    group: str
    name: str
    size: str
    results: dict[str, Summary]
    overhead: bool
    note: str = ""

    def ratio(self, numerator: str = KVDECO, denominator: str = PYKV) -> float | None:
        """The ratio of two implementations' medians (kvdeco / py-key-value by default)."""
        top, bottom = self.results.get(numerator), self.results.get(denominator)
        if top is None or bottom is None or bottom.median <= 0:
            return None
        return top.median / bottom.median


# -- timing -----------------------------------------------------------------------------


async def _batch(op: Op, count: int) -> float:
    clock = time.perf_counter
    start = clock()
    for _ in range(count):
        await op()
    return (clock() - start) / count * 1e6


async def _calibrate(op: Op, target: float) -> int:
    """How many calls make a batch of about ``target`` seconds (warming the op up too)."""
    await _batch(op, 3)  # first calls pay for lazy set-up (py-key-value's collections)
    count = 1
    while True:
        elapsed = await _batch(op, count) * count / 1e6
        if elapsed >= target / 4 or count >= 1 << 20:
            return max(1, int(count * target / max(elapsed, 1e-9)))
        count *= 4


async def _sample(op: Op, count: int) -> float:
    # Start each batch with no garbage and an empty young heap, so no row pays for
    # collecting what another row left behind.
    gc.collect()
    gc.freeze()
    try:
        return await _batch(op, count)
    finally:
        gc.unfreeze()


async def measure(
    cases: list[Case], repetitions: int, target: float, progress: TextIO | None
) -> None:
    """Fill each case's samples: ``repetitions`` batches per implementation, interleaved.

    Every repetition runs every case once per implementation, alternating which library
    goes first, so that slow drifts of the machine reach both sides alike.
    """
    for case in cases:
        for name, op in case.ops.items():
            case.batch[name] = await _calibrate(op, target)
            case.samples[name] = []
    for rep in range(repetitions):
        for case in cases:
            names = list(case.ops)
            if rep % 2:
                names.reverse()
            for name in names:
                base = case.baseline
                if base is None:
                    case.samples[name].append(await _sample(case.ops[name], case.batch[name]))
                elif name in base.ops:
                    # An overhead is measured against the bare store right next to it, in
                    # alternating order, so that the machine's drifts cancel out.
                    pair = [(case.ops[name], case.batch[name]), (base.ops[name], base.batch[name])]
                    if rep % 2:
                        pair.reverse()
                    first, second = [await _sample(op, count) for op, count in pair]
                    wrapped, bare = (second, first) if rep % 2 else (first, second)
                    case.samples[name].append(wrapped - bare)
        if progress is not None:
            print(f"\r  repetition {rep + 1}/{repetitions}", end="", file=progress, flush=True)
    if progress is not None:
        print(file=progress)


def _rows(cases: Iterable[Case]) -> list[Row]:
    rows = []
    for case in cases:
        results: dict[str, Summary] = {}
        for name, samples in case.samples.items():
            if samples:  # an overhead row has none where the bare store has no time
                results[name] = Summary.of(samples)
        rows.append(
            Row(case.group, case.name, case.size, results, case.baseline is not None, case.note)
        )
    return rows
