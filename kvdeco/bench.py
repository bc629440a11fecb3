"""Side-by-side benchmarks: kvdeco and py-key-value on the same workloads, in the same run.

:func:`run` times every row as medians of repeated batches, interleaving the libraries (and,
for some rows, a *floor*: the least work that could give the same result, such as raw
redis-py plus ``json.loads``). A row of a wrapper alone reports its *overhead*: the wrapped
store's time minus the bare store's, paired repetition by repetition. py-key-value
(``py-key-value-aio``) is optional: without it the table has kvdeco's columns only.

:func:`run_quick` is what ``kvdeco bench`` prints; ``benchmarks/compare.py`` in the source
tree runs the full table.

Example:
    >>> from kvdeco.bench import run_quick
    >>> report = run_quick()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import gzip
import importlib
import json
import logging
import pkgutil
import random
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TextIO

__all__ = ["SIZES", "Case", "Report", "Row", "Summary", "main", "run", "run_quick"]

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


@dataclasses.dataclass
class Report:
    """Every row of one run, with how it was run."""

    rows: list[Row]
    repetitions: int
    python: str = sys.version.split()[0]
    redis_namespace: str | None = None
    """The tag in every Redis key the run wrote (all deleted when it ended)."""

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "python": self.python,
            "repetitions": self.repetitions,
            "unit": "microseconds per call",
            "rows": [
                {
                    "group": row.group,
                    "name": row.name,
                    "size": row.size,
                    "overhead": row.overhead,
                    "note": row.note,
                    "results": {k: dataclasses.asdict(v) for k, v in row.results.items()},
                    "ratio_kvdeco_to_py_key_value": row.ratio(),
                    "ratio_kvdeco_to_floor": row.ratio(KVDECO, FLOOR),
                }
                for row in self.rows
            ],
        }

    def render(self) -> str:
        """The report as a fixed-width table."""
        head = (
            f"{'workload':<44}{'size':>7}  {'kvdeco µs':>17}  {'py-key-value µs':>17}"
            f"  {'kv/pkv':>7}  {'floor µs':>9}  {'kv/floor':>8}"
        )
        lines = [head, "-" * len(head)]
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                lines.append(f"[{group}]")
            cells = [_cell(row.results.get(name), row.overhead) for name in (KVDECO, PYKV)]
            floor = row.results.get(FLOOR)
            ratio, floor_ratio = row.ratio(), row.ratio(KVDECO, FLOOR)
            lines.append(
                f"  {row.name:<42}{row.size:>7}  {cells[0]:>17}  {cells[1]:>17}"
                f"  {_ratio(ratio):>7}  {'' if floor is None else f'{floor.median:.2f}':>9}"
                f"  {_ratio(floor_ratio):>8}" + (f"  {row.note}" if row.note else "")
            )
        lines.append("")
        lines.append(
            "µs per call: median over repetitions [interquartile range]; '+' rows are a "
            "wrapper's overhead (wrapped minus bare, paired per repetition)."
        )
        return "\n".join(line.rstrip() for line in lines)


def _cell(summary: Summary | None, overhead: bool) -> str:
    if summary is None:
        return "-"
    # An overhead is signed (it can be negative within noise); a range reads "[low, high]"
    # so that a negative bound is not taken for a dash.
    number = "+.2f" if overhead else ".2f"
    return f"{summary.median:{number}} [{summary.q1:{number}}, {summary.q3:{number}}]"


def _ratio(value: float | None) -> str:
    """A ratio of medians; "-" when there is none (a missing side, or a median <= 0)."""
    return "-" if value is None else f"{value:.2f}"


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


# -- implementations --------------------------------------------------------------------


def kvdeco_class(name: str) -> Any:
    """A store or wrapper class of kvdeco by name, or ``None`` when this version has none."""
    import kvdeco
    import kvdeco.stores
    import kvdeco.wrappers

    found = getattr(kvdeco, name, None)
    if found is not None:
        return found
    for package in (kvdeco.wrappers, kvdeco.stores):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            try:
                module = importlib.import_module(info.name)
            except ImportError:
                continue
            found = getattr(module, name, None)
            if found is not None:
                return found
    return None


_PYKV_MODULES = {
    "MemoryStore": "key_value.aio.stores.memory",
    "RedisStore": "key_value.aio.stores.redis",
    "StatisticsWrapper": "key_value.aio.wrappers.statistics",
    "PrefixKeysWrapper": "key_value.aio.wrappers.prefix_keys",
    "PrefixCollectionsWrapper": "key_value.aio.wrappers.prefix_collections",
    "SingleCollectionWrapper": "key_value.aio.wrappers.single_collection",
    "TTLClampWrapper": "key_value.aio.wrappers.ttl_clamp",
    "ReadOnlyWrapper": "key_value.aio.wrappers.read_only",
    "RetryWrapper": "key_value.aio.wrappers.retry",
    "LoggingWrapper": "key_value.aio.wrappers.logging",
    "TimeoutWrapper": "key_value.aio.wrappers.timeout",
    "LimitSizeWrapper": "key_value.aio.wrappers.limit_size",
    "CompressionWrapper": "key_value.aio.wrappers.compression",
    "FernetEncryptionWrapper": "key_value.aio.wrappers.encryption",
    "FallbackWrapper": "key_value.aio.wrappers.fallback",
    "PassthroughCacheWrapper": "key_value.aio.wrappers.passthrough_cache",
}


def pykv_class(name: str) -> Any:
    """A class of py-key-value by name, or ``None`` when it is not installed."""
    try:
        return getattr(importlib.import_module(_PYKV_MODULES[name]), name)
    except ImportError:
        return None


_FERNET_KEY = b"sbS6TZKpWfMXb6Rx3a3qhUxwqPq3mCGHIOZqE_hLyoo="
_SILENT = logging.getLogger("kvdeco.bench.silent")
_SILENT.setLevel(logging.CRITICAL)
_SILENT.propagate = False

Factory = Callable[[Any], Any]
# Both libraries accept py-key-value's names for the two stores of these wrappers.
_FALLBACK = {"_store": "primary_key_value", "_other": "fallback_key_value"}
_CACHE = {"_store": "primary_key_value", "_other": "cache_key_value"}
# name -> (kvdeco class name, keyword arguments, py-key-value keyword arguments)
_LAYERS: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "statistics": ("StatisticsWrapper", {}, {}),
    "prefix keys": ("PrefixKeysWrapper", {"prefix": "app"}, {"prefix": "app"}),
    "prefix collections": ("PrefixCollectionsWrapper", {"prefix": "app"}, {"prefix": "app"}),
    "single collection": (
        "SingleCollectionWrapper",
        {"collection": "one"},
        {"single_collection": "one"},
    ),
    "ttl clamp": (
        "TTLClampWrapper",
        {"min_ttl": 1, "max_ttl": 3600},
        {"min_ttl": 1, "max_ttl": 3600},
    ),
    "read-only": ("ReadOnlyWrapper", {}, {}),
    "retry (no failure)": ("RetryWrapper", {}, {}),
    "logging (disabled)": ("LoggingWrapper", {"logger": _SILENT}, {"logger": _SILENT}),
    "limit size": ("LimitSizeWrapper", {"max_size": 1 << 20}, {"max_size": 1 << 20}),
    "timeout": ("TimeoutWrapper", {"timeout": 5.0}, {"timeout": 5.0}),
    "compression": ("CompressionWrapper", {}, {}),
    "fernet encryption": ("FernetEncryptionWrapper", {"fernet": None}, {"fernet": None}),
    # Two-store wrappers: the measured store is the primary, a fresh MemoryStore the other.
    "fallback": ("FallbackWrapper", _FALLBACK, _FALLBACK),
    "passthrough cache": ("PassthroughCacheWrapper", _CACHE, _CACHE),
}
PASS_THROUGH = (
    "statistics",
    "prefix keys",
    "ttl clamp",
    "read-only",
    "retry (no failure)",
    "logging (disabled)",
)
"""The layers that change nothing on a successful call: the cheap ones."""


def layer(library: str, name: str) -> Factory | None:
    """A function wrapping a store in the named layer, or ``None`` if the library lacks it."""
    class_name, kv_args, pkv_args = _LAYERS[name]
    cls = kvdeco_class(class_name) if library == KVDECO else pykv_class(class_name)
    if cls is None:
        return None
    options = dict(kv_args if library == KVDECO else pkv_args)
    if "fernet" in options:
        from cryptography.fernet import Fernet

        options["fernet"] = Fernet(_FERNET_KEY)
    store_keyword = options.pop("_store", "key_value")
    other = options.pop("_other", None)

    def build(store: Any) -> Any:
        if other is not None:
            options[other] = _memory(library)
        return cls(**{store_keyword: store}, **options)

    return build


PRODUCTION = ("statistics", "retry (no failure)", "timeout", "compression", "fernet encryption")
"""The specification's Production Ready stack, outermost first."""


def stack(library: str, names: tuple[str, ...]) -> Factory | None:
    """Layers applied outermost first, or ``None`` if the library lacks one of them."""
    factories = [layer(library, name) for name in names]
    if any(f is None for f in factories):
        return None

    def build(store: Any) -> Any:
        for factory in reversed(factories):
            assert factory is not None
            store = factory(store)
        return store

    return build


# -- workloads --------------------------------------------------------------------------


SINGLE = ("get hit", "get miss", "put")
MANY = (f"get_many {BULK}", f"put_many {BULK}")


async def workload(
    name: str, store: Any, value: dict[str, Any], collection: str, seed: Any = None
) -> Op:
    """The operation ``name`` on ``store``, after writing what it reads to ``seed`` (or ``store``).

    Each workload gets a store of its own, so that no row depends on what another row did
    (py-key-value's MemoryStore, for one, slows down as overwrites accumulate).
    """
    keys = [f"k{n}" for n in range(BULK)]
    values = [value] * BULK
    target = store if seed is None else seed
    if name in MANY:
        await target.put_many(keys, values, collection=collection)
    else:
        await target.put("hit", value, collection=collection)
    ops: dict[str, Op] = {
        "get hit": lambda: store.get("hit", collection=collection),
        "get miss": lambda: store.get("absent", collection=collection),
        "put": lambda: store.put("hit", value, collection=collection),
        MANY[0]: lambda: store.get_many(keys, collection=collection),
        MANY[1]: lambda: store.put_many(keys, values, collection=collection),
    }
    return ops[name]


def _memory(library: str) -> Any:
    cls = kvdeco_class("MemoryStore") if library == KVDECO else pykv_class("MemoryStore")
    return None if cls is None else cls()


def _libraries() -> list[str]:
    return [KVDECO] + ([PYKV] if pykv_class("MemoryStore") is not None else [])


async def memory_cases(sizes: list[str], layers: Iterable[str], bulk: bool) -> list[Case]:
    """Bare MemoryStore rows, one-layer overhead rows and the Production Ready stack rows."""
    cases: list[Case] = []
    libraries = _libraries()
    bare: dict[tuple[str, str], Case] = {}
    for size in sizes:
        value = make_value(SIZES[size])
        for name in SINGLE + (MANY if bulk else ()):
            if name == "get miss" and size != sizes[0]:
                continue
            ops = {lib: await workload(name, _memory(lib), value, "bench") for lib in libraries}
            case = Case("MemoryStore", name, size if name != "get miss" else "-", ops)
            bare[(name, size)] = case
            cases.append(case)
    one_size = "1 KiB" if "1 KiB" in sizes else sizes[0]
    for name in layers:
        value = make_value(SIZES[one_size])
        # Writes through a read-only store are refused: nothing comparable to time.
        for op_name in ("get hit",) if name == "read-only" else ("get hit", "put"):
            ops = {}
            for library in libraries:
                factory = layer(library, name)
                if factory is None:
                    continue
                inner = _memory(library)
                seed = inner if name == "read-only" else None
                ops[library] = await workload(op_name, factory(inner), value, "bench", seed)
            cases.append(
                Case(
                    "one layer over MemoryStore (overhead)",
                    f"{name}: {op_name}",
                    one_size,
                    ops,
                    baseline=bare[(op_name, one_size)],
                )
            )
    fernet = _fernet()
    for size in sizes:
        value = make_value(SIZES[size])
        floors = _codec_floor(fernet, value)
        for op_name in ("get hit", "put"):
            ops = {FLOOR: floors[op_name]}
            for library in libraries:
                factory = stack(library, PRODUCTION)
                if factory is not None:
                    ops[library] = await workload(
                        op_name, factory(_memory(library)), value, "bench"
                    )
            cases.append(Case("Production Ready stack over MemoryStore", op_name, size, ops))
    return cases


def _fernet() -> Any:
    from cryptography.fernet import Fernet

    return Fernet(_FERNET_KEY)


def _seal(fernet: Any, value: dict[str, Any]) -> bytes:
    data = _compact(value).encode()
    if len(data) >= 1024:
        data = gzip.compress(data, compresslevel=1)
    return fernet.encrypt(data)  # type: ignore[no-any-return]


def _open(fernet: Any, token: bytes) -> Any:
    data = fernet.decrypt(token)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)


def _codec_floor(fernet: Any, value: dict[str, Any]) -> dict[str, Op]:
    """The least codec work a sealed put or get needs: JSON, gzip (1 KiB and up), Fernet."""
    token = _seal(fernet, value)

    async def put() -> None:
        _seal(fernet, value)

    async def get() -> Any:
        return _open(fernet, token)

    return {"put": put, "get hit": get}


class RedisBench:
    """Redis rows in a fresh key namespace, deleted (never flushed) when done."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.tag = f"kvdeco-bench-{uuid.uuid4().hex[:12]}"
        self.clients: list[Any] = []
        self.stores: list[Any] = []

    def _store(self, library: str) -> Any:
        if library == KVDECO:
            cls = kvdeco_class("RedisStore")
            store = None if cls is None else cls(url=self.url, namespace=self.tag)
        else:
            cls = pykv_class("RedisStore")
            store = None if cls is None else cls(url=self.url)
        if store is not None:
            self.stores.append(store)
        return store

    def _raw(self) -> Any:
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(self.url)
        self.clients.append(client)
        return client

    async def cases(self, sizes: list[str], bulk_sizes: list[str]) -> list[Case]:
        """Bare store vs raw redis-py, the Production Ready stack, and a sealed ``get_many``."""
        bare_cases: list[Case] = []
        sealed_cases: list[Case] = []
        libraries = [lib for lib in _libraries() if self._store(lib) is not None]
        self.stores.clear()
        raw = self._raw()
        fernet = _fernet()
        for size in sizes:
            value = make_value(SIZES[size])
            bare_key, sealed_key = (
                f"{self.tag}:raw:{SIZES[size]}",
                f"{self.tag}:sealed:{SIZES[size]}",
            )
            await raw.set(bare_key, _compact(value))
            await raw.set(sealed_key, _seal(fernet, value))

            async def raw_get(key: str = bare_key) -> Any:
                return json.loads(await raw.get(key))

            async def raw_put(key: str = bare_key, value: Any = value) -> None:
                await raw.set(key, _compact(value))

            async def sealed_get(key: str = sealed_key) -> Any:
                return _open(fernet, await raw.get(key))

            async def sealed_put(key: str = sealed_key, value: Any = value) -> None:
                await raw.set(key, _seal(fernet, value))

            floors: dict[str, Op] = {"get hit": raw_get, "put": raw_put}
            for name in ("get hit", "put"):
                ops: dict[str, Op] = {FLOOR: floors[name]}
                for library in libraries:
                    store = self._store(library)
                    collection = f"{self.tag}-bare-{SIZES[size]}"
                    ops[library] = await workload(name, store, value, collection)
                bare_cases.append(Case("RedisStore (floor: raw redis-py + json)", name, size, ops))
            floors = {"get hit": sealed_get, "put": sealed_put}  # same keys, sealed
            for name in ("get hit", "put"):
                ops = {FLOOR: floors[name]}
                for library in libraries:
                    factory = stack(library, PRODUCTION)
                    if factory is not None:
                        store = factory(self._store(library))
                        collection = f"{self.tag}-sealed-{SIZES[size]}"
                        ops[library] = await workload(name, store, value, collection)
                group = "Production Ready stack over RedisStore (floor: raw + codecs)"
                sealed_cases.append(Case(group, name, size, ops))
        cases = bare_cases + sealed_cases
        names = ("prefix keys", "compression", "fernet encryption")
        for size in bulk_sizes:
            value = make_value(SIZES[size])
            keys = [f"k{n}" for n in range(BULK)]
            ops_by_library: dict[str, Op] = {}
            trips: list[str] = []
            for library in libraries:
                factory = stack(library, names)
                if factory is None:
                    continue
                store = factory(self._store(library))
                collection = f"{self.tag}-many-{SIZES[size]}"
                ops_by_library[library] = await workload(MANY[0], store, value, collection)
                count = await self._round_trips(store, keys, collection)
                trips.append(f"{library}: {count} round trip{'' if count == 1 else 's'}")
            note = ", ".join(trips)
            raw_keys = [f"{self.tag}:many:{SIZES[size]}:{n}" for n in range(BULK)]
            token = _seal(fernet, value)
            await raw.mset(dict.fromkeys(raw_keys, token))

            async def raw_many(raw_keys: list[str] = raw_keys) -> Any:
                return [_open(fernet, item) for item in await raw.mget(raw_keys)]

            ops_by_library[FLOOR] = raw_many
            cases.append(
                Case(
                    "get_many 100 via prefix + compression + encryption on Redis "
                    "(floor: MGET + decrypt)",
                    "get_many 100",
                    size,
                    ops_by_library,
                    note=note,
                )
            )
        return cases

    async def _round_trips(self, store: Any, keys: list[str], collection: str) -> int | str:
        """Commands a store sends for one ``get_many``, counted on its Redis client."""
        client, inner = None, store
        for _ in range(16):  # down the wrappers: kvdeco's proxies reach it, py-key-value's not
            client = getattr(inner, "_client", None)
            inner = getattr(inner, "key_value", None)
            if client is not None or inner is None:
                break
        pool = getattr(client, "connection_pool", None)
        if pool is None:
            return "?"
        sent = 0
        connection_class = pool.connection_class
        original = connection_class.send_packed_command

        async def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal sent
            sent += 1
            return await original(self, *args, **kwargs)

        connection_class.send_packed_command = counting
        try:
            await store.get_many(keys, collection=collection)
        finally:
            connection_class.send_packed_command = original
        return sent

    async def close(self) -> None:
        """Delete every key of this run's namespace and close the clients."""
        raw = self._raw()
        async for key in raw.scan_iter(match=f"*{self.tag}*", count=1000):
            await raw.delete(key)
        for store in self.stores:
            closer = getattr(store, "close", None) or getattr(store, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):  # best effort at shutdown
                    await closer()
        for client in self.clients:
            await client.aclose()


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
