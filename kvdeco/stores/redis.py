"""A store on Redis (a single server or a Redis Cluster), through ``redis.asyncio``.

Key layout. Every entry is one Redis string, named::

    <namespace>:<length of collection>:<collection>:<key>

for example ``kvdeco:5:users:42`` for key ``42`` of collection ``users``. The length (in
characters) says where the collection ends, so a ``:`` inside a collection or a key can never
make two (collection, key) pairs meet: ``("a", "b:c")`` is ``kvdeco:1:a:b:c`` and
``("a:b", "c")`` is ``kvdeco:3:a:b:c``. The namespace may not contain ``:`` for the same
reason. The value is the entry's compact JSON; a TTL is Redis's own expiry, set in
milliseconds (``PX``), so Redis drops expired entries by itself.

``keys()``, ``collections()``, ``destroy()`` and ``destroy_collection()`` walk the namespace
with ``SCAN`` (never ``KEYS``, which blocks the server) and delete with ``UNLINK``;
``destroy()`` only ever removes keys of this store's namespace.

Round trips: ``get``/``put``/``delete`` and their bulk forms are one round trip each
(``MGET``, ``DEL k1 k2 ...``, and ``put_many`` as a ``MULTI``/``EXEC`` transaction, so it is
all-or-nothing); ``ttl``/``ttl_many`` pipeline ``GET`` with ``PTTL``. On a cluster
(``cluster=True``) a bulk operation whose keys fall in several hash slots is split by slot and
sent as one pipeline per node, so it costs one round trip per node; there ``put_many`` checks
every value before writing anything, but writes on different nodes are not one transaction.

Failures to reach the server raise :class:`~kvdeco.errors.StoreConnectionError` (a builtin
``ConnectionError``) and time-outs :class:`~kvdeco.errors.StoreTimeoutError` (a builtin
``TimeoutError``), which ``RetryWrapper`` retries by default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextlib import aclosing
from typing import Any, SupportsFloat

from kvdeco.errors import (
    BaseKeyValueError,
    KeyValueStoreError,
    StoreConnectionError,
    StoreSetupError,
    StoreTimeoutError,
)
from kvdeco.stores._common import check_limit, load_entry, unencodable
from kvdeco.validation import (
    DEFAULT_COLLECTION,
    check_key,
    check_keys,
    check_many,
    check_ttl,
    collection_name,
    dump_value,
)

__all__ = ["RedisStore"]

DEFAULT_URL = "redis://127.0.0.1:6379/0"
_SCAN_BATCH = 500
_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*?[]"})
_PREFIX_CACHE_SIZE = 4096


def _redis_module() -> Any:
    try:
        import redis.asyncio as redis_asyncio
    except ImportError as error:  # pragma: no cover - the test environment has redis
        raise StoreSetupError(
            "RedisStore needs the 'redis' package: pip install 'kvdeco[redis]'"
        ) from error
    return redis_asyncio


def _classify(error: BaseException) -> type[KeyValueStoreError]:
    """Which kvdeco error a failure of the Redis client becomes."""
    from redis import exceptions as rex

    if isinstance(error, (rex.TimeoutError, TimeoutError)):
        return StoreTimeoutError
    if isinstance(error, (rex.ConnectionError, rex.ClusterError, OSError)):
        return StoreConnectionError
    if isinstance(error, rex.RedisClusterException) and "connect" in str(error).lower():
        return StoreConnectionError
    return KeyValueStoreError


def _ms(seconds: float) -> int:
    # Round up so an entry never expires before the TTL it was given.
    return max(1, math.ceil(seconds * 1000))


def _seconds(pttl: int) -> float | None:
    return None if pttl < 0 else pttl / 1000


def _text(name: bytes | str) -> str:
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def _check_address(options: dict[str, Any]) -> set[str]:
    """Validate ``host``, ``port`` and ``db`` among the options; return those given."""
    host = options.get("host")
    if host is not None and not isinstance(host, str):
        raise TypeError(f"host must be a str, not {type(host).__name__}")
    for name, low in (("port", 1), ("db", 0)):
        number = options.get(name)
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError(f"{name} must be an int, not {type(number).__name__}")
        if number < low or (name == "port" and number > 65535):
            raise ValueError(f"{name} is out of range: {number}")
    return {name for name in ("host", "port", "db") if options.get(name) is not None}


class RedisStore:
    """Entries in Redis, with native expiry; see the module docs for the key layout.

    Args:
        url: A ``redis://`` or ``rediss://`` URL; ``redis://127.0.0.1:6379/0`` by default.
        client: An existing ``redis.asyncio.Redis`` (or ``RedisCluster``) to use instead of
            ``url``. The store does not close a client it was given.
        default_collection: The collection used when a call gives none.
        cluster: Connect with ``redis.asyncio.RedisCluster`` (the URL names any one node).
            Implied when ``client`` is a ``RedisCluster``.
        namespace: The first part of every Redis key; must not contain ``:``.
        **options: Passed to the client (``socket_timeout``, ``max_connections``...).
            ``host``, ``port`` and ``db`` (as py-key-value's ``RedisStore`` takes them)
            replace ``url``; they cannot be combined with it.

    Example:
        >>> store = RedisStore("redis://127.0.0.1:6379/0", namespace="myapp")
        >>> # await store.put("user:1", {"name": "Ada"}, ttl=60)
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        default_collection: str | None = None,
        cluster: bool = False,
        namespace: str = "kvdeco",
        **options: Any,
    ) -> None:
        if not isinstance(namespace, str):
            raise TypeError(f"namespace must be a str, not {type(namespace).__name__}")
        if not namespace or ":" in namespace:
            raise ValueError("namespace must be non-empty and without ':'")
        if default_collection is not None and not isinstance(default_collection, str):
            raise TypeError("default_collection must be a str or None")
        if not isinstance(cluster, bool):
            raise TypeError("cluster must be a bool")
        if client is not None and (url is not None or options):
            raise TypeError("give either client or url (and its options), not both")
        if url is not None and not isinstance(url, str):
            raise TypeError("url must be a str or None")
        address = _check_address(options)
        if url is not None and address:
            names = ", ".join(sorted(address))
            raise TypeError(f"give either url or {names}, not both")
        module = _redis_module()
        self._owns_client = client is None
        if client is None:
            factory = module.RedisCluster if cluster else module.Redis
            try:
                # from_url lets the URL override host, port and db given beside it, so an
                # address given alone must go to the constructor or it would be ignored.
                if address:
                    client = factory(**{"host": "127.0.0.1", "port": 6379, **options})
                else:
                    client = factory.from_url(url or DEFAULT_URL, **options)
            except (ValueError, TypeError) as error:
                raise StoreSetupError(f"cannot build a Redis client: {error}") from error
        self.namespace = namespace
        self.default_collection = default_collection or DEFAULT_COLLECTION
        # A cluster client given without cluster=True still needs per-slot bulk operations.
        self.cluster = cluster or isinstance(client, module.RedisCluster)
        from redis import exceptions as rex

        self._client = client
        self._errors: tuple[type[BaseException], ...] = (
            rex.RedisError,
            OSError,
            TimeoutError,
            UnicodeEncodeError,
        )
        self._prefixes: dict[str | None, str] = {}
        self._default_prefix = self._prefix_of(self.default_collection)

    @property
    def client(self) -> Any:
        """The underlying ``redis.asyncio`` client."""
        return self._client

    def __repr__(self) -> str:
        kind = "cluster" if self.cluster else "server"
        return f"RedisStore({kind}, namespace={self.namespace!r})"

    # -- key layout -------------------------------------------------------------------------

    def _prefix_of(self, name: str) -> str:
        return f"{self.namespace}:{len(name)}:{name}:"

    def _prefix(self, collection: str | None, operation: str) -> str:
        if collection is None or collection == "":
            return self._default_prefix
        prefix = self._prefixes.get(collection) if type(collection) is str else None
        if prefix is None:
            prefix = self._prefix_of(collection_name(collection, operation))
            if len(self._prefixes) >= _PREFIX_CACHE_SIZE:
                self._prefixes.clear()
            self._prefixes[collection] = prefix
        return prefix

    def _split(self, name: bytes | str) -> tuple[str, str] | None:
        """(collection, key) of a Redis key of this namespace, or None for a foreign key."""
        text = _text(name)
        length, sep, rest = text[len(self.namespace) + 1 :].partition(":")
        if not sep or not length.isdigit():
            return None
        size = int(length)
        if rest[size : size + 1] != ":":
            return None
        return rest[:size], rest[size + 1 :]

    def _failure(
        self, error: BaseException, operation: str, collection: str | None, key: str | None = None
    ) -> BaseKeyValueError:
        if isinstance(error, UnicodeEncodeError):
            return unencodable(operation, collection, key)
        kind = _classify(error)
        return kind(
            f"redis failed: {type(error).__name__}: {error}",
            operation=operation,
            collection=collection,
            key=key,
        )

    # -- the eight operations ---------------------------------------------------------------

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Return the value under ``key``, or ``None``."""
        if type(key) is not str:
            check_key(key, "get", collection)
        try:
            raw = await self._client.get(self._prefix(collection, "get") + key)
        except self._errors as error:
            raise self._failure(error, "get", collection, key) from error
        return None if raw is None else load_entry(raw, "get", collection, key)

    async def ttl(
        self, key: str, *, collection: str | None = None
    ) -> tuple[dict[str, Any] | None, float | None]:
        """Return the value and its remaining seconds, read in one round trip."""
        check_key(key, "ttl", collection)
        return (await self._ttl_many([key], collection, "ttl"))[0]

    async def put(
        self,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store ``value`` under ``key``, expiring after ``ttl`` seconds if given."""
        if type(key) is not str:
            check_key(key, "put", collection)
        name = self._prefix(collection, "put") + key
        seconds = None if ttl is None else check_ttl(ttl, "put", collection)
        text = dump_value(value, "put", collection, key)
        try:
            if seconds is None:
                await self._client.set(name, text)
            else:
                await self._client.set(name, text, px=_ms(seconds))
        except self._errors as error:
            raise self._failure(error, "put", collection, key) from error

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete ``key``; return whether it was there."""
        if type(key) is not str:
            check_key(key, "delete", collection)
        try:
            return bool(await self._client.delete(self._prefix(collection, "delete") + key))
        except self._errors as error:
            raise self._failure(error, "delete", collection, key) from error

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """Return the values of ``keys`` in order, with one ``MGET`` (one per node on a cluster)."""
        keys = check_keys(keys, "get_many", collection)
        if not keys:
            return []
        prefix = self._prefix(collection, "get_many")
        names = [prefix + key for key in keys]
        try:
            if self.cluster:
                raws = await self._client.mget_nonatomic(names)
            else:
                raws = await self._client.mget(names)
        except self._errors as error:
            raise self._failure(error, "get_many", collection) from error
        return [
            None if raw is None else load_entry(raw, "get_many", collection, key)
            for key, raw in zip(keys, raws)
        ]

    async def ttl_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        """Return ``(value, remaining seconds)`` for each key, pipelined in one round trip."""
        keys = check_keys(keys, "ttl_many", collection)
        return await self._ttl_many(keys, collection, "ttl_many") if keys else []

    async def _ttl_many(
        self, keys: list[str], collection: str | None, operation: str
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        prefix = self._prefix(collection, operation)
        pipe = self._client.pipeline(transaction=False)
        for key in keys:
            pipe.get(prefix + key)
            pipe.pttl(prefix + key)
        try:
            replies = await pipe.execute()
        except self._errors as error:
            raise self._failure(error, operation, collection) from error
        found: list[tuple[dict[str, Any] | None, float | None]] = []
        for index, key in enumerate(keys):
            raw, pttl = replies[2 * index], replies[2 * index + 1]
            # -2: the entry expired or went away between the two commands; it is a miss now.
            if raw is None or pttl == -2:
                found.append((None, None))
            else:
                found.append((load_entry(raw, operation, collection, key), _seconds(pttl)))
        return found

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store every value with one TTL, all-or-nothing, in one round trip."""
        keys = check_keys(keys, "put_many", collection)
        check_many(keys, values, "put_many")
        seconds = check_ttl(ttl, "put_many", collection)
        prefix = self._prefix(collection, "put_many")
        texts = [dump_value(v, "put_many", collection, k) for k, v in zip(keys, values)]
        if not keys:
            return
        try:
            if seconds is None and not self.cluster:
                # MSET is atomic by itself: no transaction needed.
                await self._client.mset({prefix + k: t for k, t in zip(keys, texts)})
                return
            pipe = self._client.pipeline(transaction=not self.cluster)
            px = None if seconds is None else _ms(seconds)
            for key, text in zip(keys, texts):
                pipe.set(prefix + key, text, px=px)
            await pipe.execute()
        except self._errors as error:
            raise self._failure(error, "put_many", collection) from error

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """Delete ``keys`` with one ``DEL`` (one per node on a cluster); return how many existed."""
        keys = check_keys(keys, "delete_many", collection)
        if not keys:
            return 0
        prefix = self._prefix(collection, "delete_many")
        try:
            return int(await self._client.delete(*{prefix + key: None for key in keys}))
        except self._errors as error:
            raise self._failure(error, "delete_many", collection) from error

    # -- capabilities -----------------------------------------------------------------------

    async def _scan(self, pattern: str, operation: str, collection: str | None = None) -> Any:
        """Yield batches of Redis key names matching ``pattern``."""
        batch: list[Any] = []
        try:
            async with aclosing(self._client.scan_iter(match=pattern, count=_SCAN_BATCH)) as it:
                async for name in it:
                    batch.append(name)
                    if len(batch) >= _SCAN_BATCH:
                        yield batch
                        batch = []
        except self._errors as error:
            raise self._failure(error, operation, collection) from error
        if batch:
            yield batch

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        """List the keys of ``collection`` (at most ``limit``), by ``SCAN``."""
        prefix = self._prefix(collection, "keys")
        limit = check_limit(limit, "keys")
        found: dict[str, None] = {}  # SCAN may report a key twice
        if limit is not None and limit <= 0:
            return []
        async with aclosing(self._scan(prefix.translate(_GLOB_SPECIAL) + "*", "keys")) as scan:
            async for batch in scan:
                for name in batch:
                    found[_text(name)[len(prefix) :]] = None
                if limit is not None and len(found) >= limit:
                    return list(found)[:limit]
        return list(found)

    async def collections(self, *, limit: int | None = None) -> list[str]:
        """List the collections holding at least one entry (at most ``limit``), by ``SCAN``."""
        limit = check_limit(limit, "collections")
        found: dict[str, None] = {}
        if limit is not None and limit <= 0:
            return []
        pattern = self.namespace.translate(_GLOB_SPECIAL) + ":*"
        async with aclosing(self._scan(pattern, "collections")) as scan:
            async for batch in scan:
                for name in batch:
                    parts = self._split(name)
                    if parts is not None:
                        found[parts[0]] = None
                if limit is not None and len(found) >= limit:
                    return list(found)[:limit]
        return list(found)

    async def _unlink_matching(self, pattern: str, operation: str, collection: str | None) -> bool:
        deleted = 0
        async with aclosing(self._scan(pattern, operation, collection)) as scan:
            async for batch in scan:
                try:
                    deleted += int(await self._client.unlink(*batch))
                except self._errors as error:
                    raise self._failure(error, operation, collection) from error
        return deleted > 0

    async def destroy(self) -> bool:
        """Delete every entry of this store's namespace (and nothing else)."""
        pattern = self.namespace.translate(_GLOB_SPECIAL) + ":*"
        return await self._unlink_matching(pattern, "destroy", None)

    async def destroy_collection(self, collection: str) -> bool:
        """Delete every entry of ``collection``; return whether there was any."""
        prefix = self._prefix(collection, "destroy_collection")
        pattern = prefix.translate(_GLOB_SPECIAL) + "*"
        return await self._unlink_matching(pattern, "destroy_collection", collection)

    async def cull(self) -> None:
        """Nothing to do: Redis removes expired entries by itself."""

    async def close(self) -> None:
        """Release the connection pool (only of a client this store created)."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> RedisStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
