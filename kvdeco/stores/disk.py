"""A persistent store in one SQLite file (standard library ``sqlite3``).

Every entry is a row ``(collection, key, value, expires_at)`` of one table; the value is its
compact JSON and ``expires_at`` a wall-clock time (``time.time()``), so a TTL keeps counting
while no process has the file open. Expired rows are never returned, are replaced by a new
``put``, and are removed all at once by :meth:`DiskStore.cull`.

Several processes may use one file at once: the database runs in WAL mode (readers do not
wait for a writer), every write is one ``BEGIN IMMEDIATE`` transaction (a bulk write is all or
nothing), and a process that finds the file locked waits up to ``timeout`` seconds before
:class:`~kvdeco.errors.StoreTimeoutError`.

SQLite calls block, so each store runs them on threads of its own; the event loop only
awaits. Writes run on one writer thread with one connection, so this process's writes never
contend with each other. Reads run on a small pool of reader threads, each with its own
connection: in WAL mode a reader sees the last committed state without waiting for any
writer, so a read is not queued behind a write of this process that waits for another
process's lock.

Errors: every ``sqlite3`` error becomes a kvdeco error, chosen by SQLite's result code: a
busy or locked database is a :class:`~kvdeco.errors.StoreTimeoutError`, a file that cannot be
opened or read a :class:`~kvdeco.errors.StoreConnectionError`, anything else a
:class:`~kvdeco.errors.KeyValueStoreError`. SQLite's messages never hold the values bound to
a statement, so the message and the chained ``sqlite3`` error hold no stored value.
"""

from __future__ import annotations

import asyncio
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, SupportsFloat, TypeVar

from kvdeco.errors import (
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

__all__ = ["DiskStore"]

T = TypeVar("T")
_Row = tuple[str, "float | None"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kvdeco_entries (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at REAL,
    PRIMARY KEY (collection, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kvdeco_entries_expiry
    ON kvdeco_entries (expires_at) WHERE expires_at IS NOT NULL;
"""
_LIVE = "(expires_at IS NULL OR expires_at > ?)"
_CHUNK = 500  # keys per IN (...) list, well below SQLite's bound on parameters
_READERS = 4  # reader threads (and connections) per store

# SQLite's primary result codes (the low byte of an extended code), as sqlite3.h numbers
# them: SQLITE_BUSY, SQLITE_LOCKED; SQLITE_IOERR, SQLITE_CANTOPEN.
_BUSY_CODES = frozenset({5, 6})
_UNREACHABLE_CODES = frozenset({10, 14})


def _failure(error: Exception, operation: str, collection: str | None) -> KeyValueStoreError:
    """The kvdeco error a failure of ``sqlite3`` (any class of its tree) or the OS becomes."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    text = str(error)
    if primary in _BUSY_CODES or (primary is None and ("locked" in text or "busy" in text)):
        kind: type[KeyValueStoreError] = StoreTimeoutError
        text = f"database is locked: {text}"
    elif primary in _UNREACHABLE_CODES or isinstance(error, OSError):
        kind = StoreConnectionError
    else:
        kind = KeyValueStoreError
    name = getattr(error, "sqlite_errorname", None) or type(error).__name__
    return kind(f"sqlite failed: {name}: {text}", operation=operation, collection=collection)


class DiskStore:
    """Entries in a SQLite file, safe to share between processes.

    Args:
        path: The database file; created (with its table) if missing. Its folder must exist.
        default_collection: The collection used when a call gives none.
        timeout: Seconds to wait for another process's write lock.
        clock: Wall-clock seconds, for expiry; processes sharing a file must agree on it.
            Tests pass a controllable clock.

    Example:
        >>> import asyncio, tempfile, os
        >>> async def demo(path):
        ...     async with DiskStore(path) as store:
        ...         await store.put("user:1", {"name": "Ada"}, ttl=60)
        ...         return await store.get("user:1")
        >>> asyncio.run(demo(os.path.join(tempfile.mkdtemp(), "cache.db")))
        {'name': 'Ada'}
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        default_collection: str | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError("path must be a str or a path-like object")
        if default_collection is not None and not isinstance(default_collection, str):
            raise TypeError("default_collection must be a str or None")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
        if not math.isfinite(timeout) or timeout < 0:
            raise ValueError(f"timeout must be a finite number of seconds >= 0, not {timeout}")
        if not callable(clock):
            raise TypeError("clock must be a callable returning the time in seconds")
        self.path = os.fspath(path)
        self.default_collection = default_collection or DEFAULT_COLLECTION
        self.timeout = float(timeout)
        self.clock = clock
        self._connection: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._reader = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"DiskStore({self.path!r})"

    # -- running on the worker thread -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """Open the database (on the worker thread, at first use).

        Switching to WAL needs the file to itself, and SQLite answers "locked" at once, without
        waiting, while another connection (of this process or another) is writing. So the
        setup is tried again until ``timeout`` has passed.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            connection = None
            try:
                connection = sqlite3.connect(
                    self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.executescript(_SCHEMA)
                break
            except sqlite3.Error as error:
                if connection is not None:
                    connection.close()
                busy = "locked" in str(error) or "busy" in str(error)
                if busy and time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                raise StoreSetupError(f"cannot open {self.path!r}: {error}") from error
        self._connection = connection
        return connection

    def _reader_connection(self) -> sqlite3.Connection:
        """This reader thread's own connection, opened at its first read."""
        connection: sqlite3.Connection | None = getattr(self._reader, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            self._reader.connection = connection
            with self._reader_lock:
                self._reader_connections.append(connection)
        return connection

    async def _run(
        self, work: Callable[[sqlite3.Connection], T], operation: str, collection: str | None
    ) -> T:
        """Run ``work`` on the writer thread, with the writer connection."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="kvdeco-disk")
        return await self._on(
            self._executor, lambda: self._connection or self._connect(), work, operation, collection
        )

    async def _read_run(
        self, work: Callable[[sqlite3.Connection], T], operation: str, collection: str | None
    ) -> T:
        """Run read-only ``work`` on a reader thread, never queued behind a write."""
        if self._connection is None:
            # The writer sets the file up (WAL, the table) once; readers only read it.
            await self._run(lambda connection: None, operation, collection)
        if self._readers is None:
            self._readers = ThreadPoolExecutor(_READERS, thread_name_prefix="kvdeco-disk-read")
        return await self._on(self._readers, self._reader_connection, work, operation, collection)

    async def _on(
        self,
        executor: ThreadPoolExecutor,
        connection_of: Callable[[], sqlite3.Connection],
        work: Callable[[sqlite3.Connection], T],
        operation: str,
        collection: str | None,
    ) -> T:
        if self._closed:
            raise KeyValueStoreError("the store is closed", operation=operation)

        def job() -> T:
            connection = connection_of()
            try:
                return work(connection)
            except UnicodeEncodeError:
                raise unencodable(operation, collection) from None
            except (sqlite3.Error, sqlite3.Warning, OSError) as error:
                raise _failure(error, operation, collection) from error

        return await asyncio.get_running_loop().run_in_executor(executor, job)

    def _name(self, collection: str | None, operation: str) -> str:
        if collection is None or collection == "":
            return self.default_collection
        return collection_name(collection, operation)

    @staticmethod
    def _write(connection: sqlite3.Connection, work: Callable[[], T]) -> T:
        """Run ``work`` in one immediate transaction: it takes the write lock up front."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = work()
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result

    def _select(
        self, connection: sqlite3.Connection, name: str, keys: list[str]
    ) -> dict[str, _Row]:
        found: dict[str, _Row] = {}
        unique = list(dict.fromkeys(keys))
        if len(unique) > _CHUNK:
            # Several queries: one read transaction makes them one consistent snapshot.
            connection.execute("BEGIN")
            try:
                self._select_chunks(connection, name, unique, found)
            finally:
                connection.execute("COMMIT")
        else:
            self._select_chunks(connection, name, unique, found)
        return found

    def _select_chunks(
        self, connection: sqlite3.Connection, name: str, unique: list[str], found: dict[str, _Row]
    ) -> None:
        now = self.clock()
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            rows = connection.execute(
                f"SELECT key, value, expires_at FROM kvdeco_entries WHERE collection = ? "
                f"AND key IN ({','.join('?' * len(chunk))}) AND {_LIVE}",
                (name, *chunk, now),
            )
            for key, value, expires_at in rows:
                found[key] = (value, expires_at)

    # -- the eight operations ---------------------------------------------------------------

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Return the value under ``key``, or ``None``."""
        keys = [check_key(key, "get", collection)]
        return (await self._read(keys, collection, "get"))[0][0]

    async def ttl(
        self, key: str, *, collection: str | None = None
    ) -> tuple[dict[str, Any] | None, float | None]:
        """Return the value and its remaining seconds (``None``: no expiry)."""
        return (await self._read([check_key(key, "ttl", collection)], collection, "ttl"))[0]

    async def put(
        self,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store ``value`` under ``key``, expiring after ``ttl`` seconds if given."""
        await self._put_many([check_key(key, "put", collection)], [value], collection, ttl, "put")

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete ``key``; return whether a live entry was there."""
        keys = [check_key(key, "delete", collection)]
        return await self._delete_many(keys, collection, "delete") == 1

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """Return the values of ``keys`` in order, read in one query."""
        return [value for value, _ in await self._read(keys, collection, "get_many")]

    async def ttl_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        """Return ``(value, remaining seconds)`` for each of ``keys``, in order."""
        return await self._read(keys, collection, "ttl_many")

    async def _read(
        self, keys: Sequence[str], collection: str | None, operation: str
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        name = self._name(collection, operation)
        keys = check_keys(keys, operation, name)
        if not keys:
            return []
        found = await self._read_run(lambda c: self._select(c, name, keys), operation, name)
        now = self.clock()
        result: list[tuple[dict[str, Any] | None, float | None]] = []
        for key in keys:
            row = found.get(key)
            if row is None:
                result.append((None, None))
            else:
                # Parsed per position, so duplicate keys get separate fresh dicts.
                remaining = None if row[1] is None else max(row[1] - now, 0.0)
                result.append((load_entry(row[0], operation, name, key), remaining))
        return result

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store every value with one TTL, in one transaction: all or nothing."""
        await self._put_many(keys, values, collection, ttl, "put_many")

    async def _put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        collection: str | None,
        ttl: SupportsFloat | None,
        operation: str,
    ) -> None:
        name = self._name(collection, operation)
        keys = check_keys(keys, operation, name)
        check_many(keys, values, operation)
        seconds = check_ttl(ttl, operation, name)
        texts = [dump_value(v, operation, name, k) for k, v in zip(keys, values)]
        if not keys:
            return

        def work(connection: sqlite3.Connection) -> None:
            expires_at = None if seconds is None else self.clock() + seconds
            rows = [(name, key, text, expires_at) for key, text in zip(keys, texts)]
            self._write(
                connection,
                lambda: connection.executemany(
                    "INSERT OR REPLACE INTO kvdeco_entries VALUES (?, ?, ?, ?)", rows
                ),
            )

        await self._run(work, operation, name)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """Delete ``keys`` in one transaction; return how many live entries were deleted."""
        return await self._delete_many(keys, collection, "delete_many")

    async def _delete_many(
        self, keys: Sequence[str], collection: str | None, operation: str
    ) -> int:
        name = self._name(collection, operation)
        unique = list(dict.fromkeys(check_keys(keys, operation, name)))
        if not unique:
            return 0

        def delete(connection: sqlite3.Connection) -> int:
            now, deleted = self.clock(), 0
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                # RETURNING tells live rows from expired ones, which are removed but not counted.
                rows = connection.execute(
                    f"DELETE FROM kvdeco_entries WHERE collection = ? "
                    f"AND key IN ({','.join('?' * len(chunk))}) RETURNING expires_at",
                    (name, *chunk),
                ).fetchall()
                deleted += sum(
                    1 for (expires_at,) in rows if expires_at is None or expires_at > now
                )
            return deleted

        return await self._run(lambda c: self._write(c, lambda: delete(c)), operation, name)

    # -- capabilities -----------------------------------------------------------------------

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        """List the live keys of ``collection`` (at most ``limit``)."""
        name = self._name(collection, "keys")
        limit = check_limit(limit, "keys")
        query = f"SELECT key FROM kvdeco_entries WHERE collection = ? AND {_LIVE} LIMIT ?"
        bound = -1 if limit is None else max(limit, 0)
        rows = await self._read_run(
            lambda c: c.execute(query, (name, self.clock(), bound)).fetchall(), "keys", name
        )
        return [key for (key,) in rows]

    async def collections(self, *, limit: int | None = None) -> list[str]:
        """List the collections holding a live entry (at most ``limit``)."""
        limit = check_limit(limit, "collections")
        query = f"SELECT DISTINCT collection FROM kvdeco_entries WHERE {_LIVE} LIMIT ?"
        bound = -1 if limit is None else max(limit, 0)
        rows = await self._read_run(
            lambda c: c.execute(query, (self.clock(), bound)).fetchall(), "collections", None
        )
        return [name for (name,) in rows]

    async def destroy(self) -> bool:
        """Delete every entry; return whether there was a live one."""
        return await self._delete_where("", (), "destroy", None)

    async def destroy_collection(self, collection: str) -> bool:
        """Delete every entry of ``collection``; return whether there was a live one."""
        name = self._name(collection, "destroy_collection")
        return await self._delete_where("WHERE collection = ?", (name,), "destroy_collection", name)

    async def _delete_where(
        self, where: str, args: tuple[str, ...], operation: str, collection: str | None
    ) -> bool:
        def delete(connection: sqlite3.Connection) -> bool:
            now = self.clock()
            query = f"SELECT 1 FROM kvdeco_entries {where} {'AND' if where else 'WHERE'} {_LIVE}"
            live = connection.execute(query + " LIMIT 1", (*args, now)).fetchone() is not None
            connection.execute(f"DELETE FROM kvdeco_entries {where}", args)
            return live

        return await self._run(lambda c: self._write(c, lambda: delete(c)), operation, collection)

    async def cull(self) -> None:
        """Delete every expired entry now."""

        def cull(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM kvdeco_entries WHERE expires_at <= ?", (self.clock(),))

        await self._run(lambda c: self._write(c, lambda: cull(c)), "cull", None)

    async def close(self) -> None:
        """Close the database and stop the worker threads; the store cannot be used after."""
        if self._closed:
            return
        self._closed = True
        executor, self._executor = self._executor, None
        readers, self._readers = self._readers, None
        loop = asyncio.get_running_loop()
        if readers is not None:
            # Let reads under way finish, then close their connections.
            await loop.run_in_executor(None, readers.shutdown)
            with self._reader_lock:
                connections, self._reader_connections = self._reader_connections, []
            for connection in connections:
                connection.close()
        if executor is None:
            return

        def shut() -> None:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

        await loop.run_in_executor(executor, shut)
        executor.shutdown(wait=False)

    async def __aenter__(self) -> DiskStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
