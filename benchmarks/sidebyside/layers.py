"""The in-process rows: each library's stores and wrappers by name, alone and stacked."""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import logging
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any

from .measurement import BULK, FLOOR, KVDECO, PYKV, SIZES, Case, Op, _compact, make_value

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


_SILENT = logging.getLogger("benchmarks.sidebyside.silent")
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
        options["fernet"] = _fernet()
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


@functools.cache
def _fernet_key() -> bytes:
    """One key per run, fresh: what the run writes with one library, the other must read."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key()


def _fernet() -> Any:
    from cryptography.fernet import Fernet

    return Fernet(_fernet_key())


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
