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

Round trips: ``get``/``put``/``delete`` are one round trip each, and so are their bulk forms
up to ``BULK_CHUNK`` keys (``MGET``, ``DEL k1 k2 ...``, and ``put_many`` as a
``MULTI``/``EXEC`` transaction, so it is all-or-nothing); ``ttl``/``ttl_many`` pipeline
``GET`` with ``PTTL``. ``get_many``, ``ttl_many`` and ``delete_many`` of more keys send one
round trip per chunk of ``BULK_CHUNK`` keys and parse each chunk's replies before sending the
next, so the event loop is never held for the whole batch and the replies of one chunk only
are in memory at once. On one server a larger ``put_many`` is still one ``MULTI``/``EXEC``
transaction, sent a chunk at a time on one connection (any failure closes the connection
before ``EXEC``, so the server applies nothing); on a cluster, where it is not one
transaction anyway, it is written in chunks of pipelines. On a cluster
(``cluster=True``) a bulk operation whose keys fall in several hash slots is split by slot and
sent as one pipeline per node, so it costs one round trip per node; there ``put_many`` checks
every value before writing anything, but writes on different nodes are not one transaction.

Connections: a store that builds its own client on one server uses a blocking pool of
``max_connections`` connections (100 by default): a call that finds them all busy waits up to
``pool_timeout`` seconds (10 by default) for one to come back instead of failing, so a burst
of thousands of concurrent calls is served, ``max_connections`` at a time.

Errors: every failure of the driver becomes a kvdeco error. Failures to reach the server or
the cluster raise :class:`~kvdeco.errors.StoreConnectionError` (a builtin
``ConnectionError``) and time-outs :class:`~kvdeco.errors.StoreTimeoutError` (a builtin
``TimeoutError``), which ``RetryWrapper`` retries by default; anything else the driver or the
server reports is a :class:`~kvdeco.errors.KeyValueStoreError`. The message names the
driver's error class (and the server's error code, such as ``OOM``) but never quotes the
driver's text where it may hold data, and the driver's exception is not chained to it: redis-py
quotes whole commands, values included, in pipeline errors.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import re
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from typing import Any, SupportsFloat, TypeVar

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

__all__ = ["BULK_CHUNK", "RedisStore"]

T = TypeVar("T")

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_POOL_TIMEOUT = 10.0
BULK_CHUNK = 1000
"""Keys per round trip of a large bulk call (per chunk of a large ``put_many``'s transaction)."""
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
    if isinstance(error, (rex.AuthenticationError, rex.AuthorizationError)):
        return KeyValueStoreError  # a wrong password does not heal by retrying
    # A cluster that is down, resharding or not yet reachable answers again later.
    transient = (
        rex.ConnectionError,
        rex.ClusterDownError,
        rex.TryAgainError,
        rex.SlotNotCoveredError,
        OSError,
    )
    if isinstance(error, transient):
        return StoreConnectionError
    if type(error) is rex.RedisClusterException and _CLUSTER_UNREACHABLE in str(error):
        return StoreConnectionError
    return KeyValueStoreError


_CLUSTER_UNREACHABLE = "cannot be connected"
# What a failure to connect says that helps and cannot be data: the address, the errno, the
# pool's state. Nothing else of the driver's text is kept.
_SAFE_PARTS = re.compile(
    r"Error -?\d+ connecting to [\w.:\[\]-]+"
    r"|Timeout (?:connecting to|reading from|writing to) [\w.:\[\]-]+"
    r"|Connection closed by server|Too many connections|No connection available"
    r"|cannot be connected"
)


def _describe(error: BaseException) -> str:
    """A description of a driver error that holds no value.

    redis-py puts the whole command (its values too) in the text of a pipeline error and of
    some cluster errors, and a server may echo arguments back. So the description is the
    error's class, the server's error code for a reply, and for a failure to connect the
    parts that say where and why (an address, an errno).
    """
    from redis import exceptions as rex

    name = type(error).__name__
    text = str(error)
    if isinstance(error, rex.ResponseError):
        code = text.rpartition(" of pipeline caused error: ")[2].strip("(')\"").split(" ", 1)[0]
        if code.isalpha() and code.isupper():
            return f"{name}: the server answered {code}"
    found = list(dict.fromkeys(_SAFE_PARTS.findall(text)))
    return f"{name}: {'; '.join(found)}" if found else name


def _failure(
    error: BaseException, operation: str, collection: str | None, key: str | None = None
) -> BaseKeyValueError:
    """The kvdeco error a driver failure becomes (see the module docs: no value in it)."""
    if isinstance(error, UnicodeEncodeError):
        return unencodable(operation, collection, key)
    kind = _classify(error)
    message = f"redis failed: {_describe(error)}"
    return kind(message, operation=operation, collection=collection, key=key)


async def _ask(
    pending: Awaitable[T], operation: str, collection: str | None, key: str | None = None
) -> T:
    """Await one call of the driver, turning any failure of it into a kvdeco error.

    The error is raised outside the ``except`` block, so neither ``__cause__`` nor
    ``__context__`` holds the driver's exception (whose text may quote a value).
    """
    try:
        return await pending
    except Exception as error:  # the driver's whole tree, RedisClusterException included
        failure = _failure(error, operation, collection, key)
    raise failure


async def _next_batch(names: AsyncIterator[Any]) -> tuple[list[Any], bool]:
    """Up to one SCAN batch of ``names``, and whether the scan is over."""
    batch: list[Any] = []
    async for name in names:
        batch.append(name)
        if len(batch) >= _SCAN_BATCH:
            return batch, False
    return batch, True


async def _dump_all(
    keys: list[str], values: Sequence[Mapping[str, Any]], collection: str | None
) -> list[str]:
    """Serialise every value of a bulk write, letting the loop run between chunks."""
    texts: list[str] = []
    for start in range(0, len(keys), BULK_CHUNK):
        if start:
            await asyncio.sleep(0)
        end = start + BULK_CHUNK
        texts += [
            dump_value(v, "put_many", collection, k)
            for k, v in zip(keys[start:end], values[start:end])
        ]
    return texts


class _Gate:
    """Lets at most ``size`` calls of a cluster client run at once; others wait up to ``timeout``.

    It also discovers the cluster once before the first call: redis-py lets concurrent first
    calls each rebuild the node table, which drops connections other calls are using.
    """

    def __init__(self, client: Any, size: int, timeout: float | None) -> None:
        self.client = client
        self.turns = asyncio.Semaphore(size)
        self.timeout = timeout
        self.discovery = asyncio.Lock()
        self.discovered = False

    async def ask(
        self, pending: Awaitable[T], operation: str, collection: str | None, key: str | None = None
    ) -> T:
        try:
            await asyncio.wait_for(self.turns.acquire(), self.timeout)
        except TimeoutError:
            if inspect.iscoroutine(pending):
                pending.close()  # never started: nothing to undo
            raise StoreConnectionError(
                f"no connection became free within pool_timeout={self.timeout}",
                operation=operation,
                collection=collection,
                key=key,
            ) from None
        try:
            if not self.discovered:
                await _ask(self._discover(), operation, collection, key)
            return await _ask(pending, operation, collection, key)
        finally:
            if (
                inspect.iscoroutine(pending)
                and inspect.getcoroutinestate(pending) == "CORO_CREATED"
            ):
                pending.close()
            self.turns.release()

    async def _discover(self) -> None:
        async with self.discovery:
            if not self.discovered:
                await self.client.initialize()
                self.discovered = True


def _set_command(name: str, text: str, px: int | None) -> tuple[Any, ...]:
    return ("SET", name, text) if px is None else ("SET", name, text, "PX", px)


def _chunks(items: list[T], size: int = BULK_CHUNK) -> Iterator[list[T]]:
    if len(items) <= size:
        yield items
        return
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def _check_pool(max_connections: object, pool_timeout: object) -> None:
    if isinstance(max_connections, bool) or not isinstance(max_connections, int):
        raise TypeError(f"max_connections must be an int, not {type(max_connections).__name__}")
    if max_connections < 1:
        raise ValueError(f"max_connections must be at least 1, not {max_connections}")
    if pool_timeout is None:
        return
    if isinstance(pool_timeout, bool) or not isinstance(pool_timeout, (int, float)):
        raise TypeError(f"pool_timeout must be a number or None, not {type(pool_timeout).__name__}")
    if not math.isfinite(pool_timeout) or pool_timeout < 0:
        raise ValueError(f"pool_timeout must be a finite number >= 0, not {pool_timeout}")


def _build_client(
    module: Any,
    url: str | None,
    cluster: bool,
    address: set[str],
    max_connections: int,
    pool_timeout: float | None,
    options: dict[str, Any],
) -> Any:
    """The client a store builds for itself: on one server, over a pool that waits."""
    from redis import exceptions as rex

    if address:
        options = {"host": "127.0.0.1", "port": 6379, **options}
    try:
        if cluster:
            options["max_connections"] = max_connections
            # from_url lets the URL override host, port and db given beside it, so an
            # address given alone must go to the constructor or it would be ignored.
            if address:
                return module.RedisCluster(**options)
            return module.RedisCluster.from_url(url or DEFAULT_URL, **options)
        if "connection_pool" in options:
            return module.Redis(**options)
        pool_options = {"max_connections": max_connections, "timeout": pool_timeout, **options}
        if address:
            pool = module.BlockingConnectionPool(**pool_options)
        else:
            pool = module.BlockingConnectionPool.from_url(url or DEFAULT_URL, **pool_options)
        return module.Redis.from_pool(pool)
    except (ValueError, TypeError, rex.RedisError, rex.RedisClusterException) as error:
        # Only the error's class: its text may repeat the URL, password included.
        raise StoreSetupError(f"cannot build a Redis client: {_setup_reason(error)}") from None


def _setup_reason(error: BaseException) -> str:
    text = str(error)
    return type(error).__name__ if "@" in text or "://" in text else text


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
        max_connections: The most connections the store opens (per node on a cluster).
        pool_timeout: Seconds a call waits for a free connection when all
            ``max_connections`` are busy (on a cluster: for one of ``max_connections``
            turns, since redis-py's cluster pools cannot wait); ``None`` waits as long as
            it takes. Neither applies to a ``client`` given to the store.
        **options: Passed to the client (``socket_timeout``, ``socket_connect_timeout``...).
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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
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
        _check_pool(max_connections, pool_timeout)
        module = _redis_module()
        self._owns_client = client is None
        if client is None:
            client = _build_client(
                module, url, cluster, address, max_connections, pool_timeout, options
            )
        self.namespace = namespace
        self.default_collection = default_collection or DEFAULT_COLLECTION
        # A cluster client given without cluster=True still needs per-slot bulk operations.
        self.cluster = cluster or isinstance(client, module.RedisCluster)
        self._client = client
        self._prefixes: dict[str | None, str] = {}
        self._default_prefix = self._prefix_of(self.default_collection)
        # redis-py's cluster pools fail at once when full, so the store makes calls wait
        # for a turn itself: at most max_connections calls run, so no node's pool is full.
        self._ask: Callable[..., Awaitable[Any]] = _ask
        if self.cluster and self._owns_client:
            self._ask = _Gate(client, max_connections, pool_timeout).ask

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

    # -- the eight operations ---------------------------------------------------------------

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Return the value under ``key``, or ``None``."""
        if type(key) is not str:
            check_key(key, "get", collection)
        name = self._prefix(collection, "get") + key
        raw = await self._ask(self._client.get(name), "get", collection, key)
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
        px = None if seconds is None else _ms(seconds)
        await self._ask(self._client.set(name, text, px=px), "put", collection, key)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete ``key``; return whether it was there."""
        if type(key) is not str:
            check_key(key, "delete", collection)
        name = self._prefix(collection, "delete") + key
        return bool(await self._ask(self._client.delete(name), "delete", collection, key))

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """Return the values of ``keys`` in order, with one ``MGET`` per chunk (and node)."""
        keys = check_keys(keys, "get_many", collection)
        prefix = self._prefix(collection, "get_many")
        mget = self._client.mget_nonatomic if self.cluster else self._client.mget
        found: list[dict[str, Any] | None] = []
        for chunk in _chunks(keys) if keys else ():
            raws = await self._ask(mget([prefix + key for key in chunk]), "get_many", collection)
            found += [
                None if raw is None else load_entry(raw, "get_many", collection, key)
                for key, raw in zip(chunk, raws)
            ]
        return found

    async def ttl_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        """Return ``(value, remaining seconds)`` for each key, one pipeline per chunk."""
        keys = check_keys(keys, "ttl_many", collection)
        return await self._ttl_many(keys, collection, "ttl_many") if keys else []

    async def _ttl_many(
        self, keys: list[str], collection: str | None, operation: str
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        prefix = self._prefix(collection, operation)
        found: list[tuple[dict[str, Any] | None, float | None]] = []
        for chunk in _chunks(keys):
            pipe = self._client.pipeline(transaction=False)
            for key in chunk:
                pipe.get(prefix + key)
                pipe.pttl(prefix + key)
            replies = await self._ask(pipe.execute(), operation, collection)
            for index, key in enumerate(chunk):
                raw, pttl = replies[2 * index], replies[2 * index + 1]
                # -2: the entry expired or went away between the two commands; a miss now.
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
        """Store every value with one TTL, all-or-nothing (one transaction on one server)."""
        keys = check_keys(keys, "put_many", collection)
        check_many(keys, values, "put_many")
        seconds = check_ttl(ttl, "put_many", collection)
        prefix = self._prefix(collection, "put_many")
        texts = await _dump_all(keys, values, collection)
        if not keys:
            return
        if len(keys) > BULK_CHUNK and not self.cluster:
            px = None if seconds is None else _ms(seconds)
            writes = [_set_command(prefix + k, t, px) for k, t in zip(keys, texts)]
            await self._ask(self._transaction_in_chunks(writes), "put_many", collection)
            return
        if seconds is None and not self.cluster:
            # MSET is atomic by itself: no transaction needed.
            pairs = {prefix + k: t for k, t in zip(keys, texts)}
            await self._ask(self._client.mset(pairs), "put_many", collection)
            return
        px = None if seconds is None else _ms(seconds)
        entries = list(zip(keys, texts))
        # One transaction on a server; a cluster writes each node on its own anyway, so
        # there the batch goes in chunks like the reads.
        for chunk in _chunks(entries) if self.cluster else (entries,):
            pipe = self._client.pipeline(transaction=not self.cluster)
            for key, text in chunk:
                pipe.set(prefix + key, text, px=px)
            await self._ask(pipe.execute(), "put_many", collection)

    async def _transaction_in_chunks(self, commands: list[tuple[Any, ...]]) -> None:
        """Run ``commands`` as one ``MULTI``/``EXEC`` transaction, sent a chunk at a time.

        redis-py's pipeline would build and parse the whole transaction at once, holding the
        event loop for as long. Here each chunk is sent and its ``QUEUED`` replies read
        before the next, on one connection of the pool. On any failure (a refused command,
        a lost connection, a cancelled task) the connection is closed before ``EXEC``, so the
        server discards every queued command: still all or nothing.
        """
        pool = self._client.connection_pool
        connection = await pool.get_connection()
        try:
            await connection.send_command("MULTI")
            await connection.read_response()
            for chunk in _chunks(commands):
                await connection.send_packed_command(connection.pack_commands(chunk))
                for _ in chunk:
                    await connection.read_response()  # QUEUED, or the reason it was refused
            await connection.send_command("EXEC")
            replies = await connection.read_response()
            if not isinstance(replies, list) or len(replies) != len(commands):
                raise KeyValueStoreError("the transaction was not applied")
        except BaseException:
            await connection.disconnect()
            raise
        finally:
            await pool.release(connection)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """Delete ``keys`` with one ``DEL`` per chunk (and node); return how many existed."""
        unique = list(dict.fromkeys(check_keys(keys, "delete_many", collection)))
        prefix = self._prefix(collection, "delete_many")
        deleted = 0
        for chunk in _chunks(unique) if unique else ():
            names = [prefix + key for key in chunk]
            deleted += int(await self._ask(self._client.delete(*names), "delete_many", collection))
        return deleted

    # -- capabilities -----------------------------------------------------------------------

    async def _scan(
        self, pattern: str, operation: str, collection: str | None = None
    ) -> AsyncGenerator[list[Any], None]:
        """Yield batches of Redis key names matching ``pattern``."""
        names = self._client.scan_iter(match=pattern, count=_SCAN_BATCH)
        async with aclosing(names):
            done = False
            while not done:
                batch, done = await self._ask(_next_batch(names), operation, collection)
                if batch:
                    yield batch

    async def _list(
        self, pattern: str, part: Callable[[Any], str | None], limit: int | None, operation: str
    ) -> list[str]:
        """The distinct ``part`` of the names matching ``pattern``, at most ``limit``."""
        limit = check_limit(limit, operation)
        found: dict[str, None] = {}  # SCAN may report a name twice
        if limit is not None and limit <= 0:
            return []
        async with aclosing(self._scan(pattern, operation)) as scan:
            async for batch in scan:
                for name in batch:
                    item = part(name)
                    if item is not None:
                        found[item] = None
                if limit is not None and len(found) >= limit:
                    return list(found)[:limit]
        return list(found)

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        """List the keys of ``collection`` (at most ``limit``), by ``SCAN``."""
        prefix = self._prefix(collection, "keys")
        pattern = prefix.translate(_GLOB_SPECIAL) + "*"
        return await self._list(pattern, lambda name: _text(name)[len(prefix) :], limit, "keys")

    async def collections(self, *, limit: int | None = None) -> list[str]:
        """List the collections holding at least one entry (at most ``limit``), by ``SCAN``."""

        def collection_of(name: Any) -> str | None:
            parts = self._split(name)
            return None if parts is None else parts[0]

        pattern = self.namespace.translate(_GLOB_SPECIAL) + ":*"
        return await self._list(pattern, collection_of, limit, "collections")

    async def _unlink_matching(self, pattern: str, operation: str, collection: str | None) -> bool:
        deleted = 0
        async with aclosing(self._scan(pattern, operation, collection)) as scan:
            async for batch in scan:
                deleted += int(await self._ask(self._client.unlink(*batch), operation, collection))
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
