"""The Redis rows: both libraries' RedisStore against raw redis-py doing the same work."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from .layers import (
    MANY,
    PRODUCTION,
    _fernet,
    _libraries,
    _open,
    _seal,
    kvdeco_class,
    pykv_class,
    stack,
    workload,
)
from .measurement import BULK, FLOOR, KVDECO, SIZES, Case, Op, _compact, make_value


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
