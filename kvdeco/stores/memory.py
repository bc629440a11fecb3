"""An in-process store: the embedded default.

Entries are private deep copies checked to be JSON, so a caller who changes an object after a
``put`` (or the dict a ``get`` returned) never changes what is stored. Expired entries are
never returned and are dropped when met, or all at once by :meth:`MemoryStore.cull`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, SupportsFloat

from kvdeco.errors import InvalidKeyError
from kvdeco.stores._common import check_limit
from kvdeco.validation import (
    DEFAULT_COLLECTION,
    check_key,
    check_keys,
    check_many,
    check_ttl,
    copy_value,
    fresh_copy,
)

__all__ = ["MemoryStore"]

_Entry = tuple[dict[str, Any], "float | None"]
"""A stored value and the clock reading at which it expires (``None``: never)."""


class MemoryStore:
    """A dict of collections kept in this process.

    Args:
        max_entries_per_collection: Keep at most this many entries per collection, evicting
            the least recently used one (a read or a write counts as a use). ``None``: no bound.
        default_collection: The collection used when a call gives none.
        clock: Seconds as a float, for expiry. Tests pass a controllable clock.

    Example:
        >>> import asyncio
        >>> store = MemoryStore()
        >>> asyncio.run(store.put("user:1", {"name": "Ada"}, ttl=60))
        >>> asyncio.run(store.get("user:1"))
        {'name': 'Ada'}
    """

    def __init__(
        self,
        *,
        max_entries_per_collection: int | None = None,
        default_collection: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        bound = max_entries_per_collection
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise TypeError(
                f"max_entries_per_collection must be an int or None, not {type(bound).__name__}"
            )
        if bound is not None and bound < 1:
            raise ValueError("max_entries_per_collection must be a positive int or None")
        if default_collection is not None and not isinstance(default_collection, str):
            raise TypeError("default_collection must be a str or None")
        if not callable(clock):
            raise TypeError("clock must be a callable returning the time in seconds")
        self.max_entries_per_collection = max_entries_per_collection
        self.default_collection = default_collection or DEFAULT_COLLECTION
        self.clock = clock
        self._collections: dict[str, dict[str, _Entry]] = {}

    def __repr__(self) -> str:
        return f"MemoryStore(collections={len(self._collections)})"

    def _name(self, collection: object, operation: str) -> str:
        if collection is None or collection == "":
            return self.default_collection
        if not isinstance(collection, str):
            raise InvalidKeyError(
                f"collection must be a str, not {type(collection).__name__}", operation=operation
            )
        return collection

    def _lookup(self, entries: dict[str, _Entry] | None, key: str, now: float) -> _Entry | None:
        if entries is None:
            return None
        entry = entries.get(key)
        if entry is None:
            return None
        expires = entry[1]
        if expires is not None and expires <= now:
            del entries[key]
            return None
        if self.max_entries_per_collection is not None:
            entries[key] = entries.pop(key)  # most recently used goes last
        return entry

    def _store(self, name: str, key: str, value: dict[str, Any], expires: float | None) -> None:
        entries = self._collections.get(name)
        if entries is None:
            entries = self._collections[name] = {}
        bound = self.max_entries_per_collection
        if bound is not None:
            entries.pop(key, None)
            while len(entries) >= bound:
                del entries[next(iter(entries))]
        entries[key] = (value, expires)

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Return a fresh copy of the value under ``key``, or ``None``."""
        name = self._name(collection, "get")
        entry = self._lookup(self._collections.get(name), check_key(key, "get", name), self.clock())
        return None if entry is None else fresh_copy(entry[0])

    async def ttl(
        self, key: str, *, collection: str | None = None
    ) -> tuple[dict[str, Any] | None, float | None]:
        """Return the value and its remaining seconds (``None``: no expiry)."""
        name = self._name(collection, "ttl")
        now = self.clock()
        entry = self._lookup(self._collections.get(name), check_key(key, "ttl", name), now)
        if entry is None:
            return (None, None)
        expires = entry[1]
        return (fresh_copy(entry[0]), None if expires is None else expires - now)

    async def put(
        self,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store a private copy of ``value`` under ``key``."""
        name = self._name(collection, "put")
        check_key(key, "put", name)
        seconds = check_ttl(ttl, "put", name)
        copied = copy_value(value, "put", name, key)
        self._store(name, key, copied, None if seconds is None else self.clock() + seconds)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete ``key``; return whether a live entry was there."""
        name = self._name(collection, "delete")
        entries = self._collections.get(name)
        entry = self._lookup(entries, check_key(key, "delete", name), self.clock())
        if entry is None:
            return False
        del entries[key]  # type: ignore[union-attr]
        return True

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """Return fresh copies of the values of ``keys``, in order."""
        name = self._name(collection, "get_many")
        entries, now, lookup = self._collections.get(name), self.clock(), self._lookup
        found = []
        for key in check_keys(keys, "get_many", name):
            entry = lookup(entries, key, now)
            found.append(None if entry is None else fresh_copy(entry[0]))
        return found

    async def ttl_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        """Return ``(value, remaining seconds)`` for each of ``keys``, in order."""
        name = self._name(collection, "ttl_many")
        entries, now, lookup = self._collections.get(name), self.clock(), self._lookup
        found: list[tuple[dict[str, Any] | None, float | None]] = []
        for key in check_keys(keys, "ttl_many", name):
            entry = lookup(entries, key, now)
            if entry is None:
                found.append((None, None))
            else:
                found.append((fresh_copy(entry[0]), None if entry[1] is None else entry[1] - now))
        return found

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store every value, all with the same TTL; nothing is written if any is invalid."""
        name = self._name(collection, "put_many")
        keys = check_keys(keys, "put_many", name)
        check_many(keys, values, "put_many")
        seconds = check_ttl(ttl, "put_many", name)
        copies = [copy_value(v, "put_many", name, k) for k, v in zip(keys, values)]
        expires = None if seconds is None else self.clock() + seconds
        for key, copied in zip(keys, copies):
            self._store(name, key, copied, expires)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """Delete ``keys``; return how many live entries were deleted (each key counts once)."""
        name = self._name(collection, "delete_many")
        entries, now = self._collections.get(name), self.clock()
        deleted = 0
        for key in check_keys(keys, "delete_many", name):
            if self._lookup(entries, key, now) is not None:
                del entries[key]  # type: ignore[union-attr]
                deleted += 1
        return deleted

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        """List the live keys of ``collection`` (at most ``limit``)."""
        entries = self._collections.get(self._name(collection, "keys"), {})
        limit = check_limit(limit, "keys")
        now = self.clock()
        live = [k for k, (_, expires) in entries.items() if expires is None or expires > now]
        return live if limit is None else live[: max(limit, 0)]

    async def collections(self, *, limit: int | None = None) -> list[str]:
        """List the collections that hold a live entry (at most ``limit``)."""
        limit = check_limit(limit, "collections")
        now = self.clock()
        names = [
            name
            for name, entries in self._collections.items()
            if any(expires is None or expires > now for _, expires in entries.values())
        ]
        return names if limit is None else names[: max(limit, 0)]

    async def destroy(self) -> bool:
        """Delete everything; return whether anything was there."""
        had = any(self._collections.values())
        self._collections.clear()
        return had

    async def destroy_collection(self, collection: str) -> bool:
        """Delete one collection; return whether it held anything."""
        return bool(self._collections.pop(self._name(collection, "destroy_collection"), None))

    async def cull(self) -> None:
        """Drop every expired entry now."""
        now = self.clock()
        for name in list(self._collections):
            entries = self._collections[name]
            for key in [k for k, (_, e) in entries.items() if e is not None and e <= now]:
                del entries[key]
            if not entries:
                del self._collections[name]

    async def close(self) -> None:
        """Nothing to release; present so every store can be closed the same way."""

    async def __aenter__(self) -> MemoryStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
