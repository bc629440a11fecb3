"""Use another library's store as a kvdeco store: :func:`adapt`.

Any object with at least ``get``, ``put`` and ``delete`` coroutines becomes a store with all
eight operations and kvdeco's input rules:

- the bulk and TTL operations it lacks are filled in from its singles, one call per key, in
  order (``ttl`` reads ``(value, None)`` when the store cannot tell a remaining TTL);
- keys, collections, TTLs and values are checked as every kvdeco store checks them, before the
  store sees them, so an invalid call raises kvdeco's error (``InvalidTTLError``,
  ``SerializationError``...) and a bulk write with one bad entry writes nothing. The store
  receives a private copy of each value, and ``collection=""`` as ``None``.

Everything else (``keys()``, ``destroy()``, ``async with``, its own attributes) passes straight
through: the result is a transparent proxy, so ``isinstance(adapted, type(store))`` holds.

Some stores report a delete of an entry that has expired but not yet been dropped as a
successful one (py-key-value's ``MemoryStore`` does). ``adapt(store, exact_delete=True)`` reads
the keys first and counts only live entries, at the cost of one more call per delete.

Decorators do **not** adapt a store by themselves: filling in ``get_many`` with one call per key
changes what a bulk operation costs, and that should be a visible choice. Wrap a store that
lacks operations with ``adapt()`` first, then decorate it. A kvdeco store is returned as it is.

Example:
    >>> import asyncio
    >>> from kvdeco import with_statistics
    >>> class Minimal:
    ...     def __init__(self): self.data = {}
    ...     async def get(self, key, *, collection=None): return self.data.get((collection, key))
    ...     async def put(self, key, value, *, collection=None, ttl=None):
    ...         self.data[(collection, key)] = dict(value)
    ...     async def delete(self, key, *, collection=None):
    ...         return self.data.pop((collection, key), None) is not None
    >>> store = with_statistics(adapt(Minimal()))
    >>> asyncio.run(store.put_many(["a", "b"], [{"n": 1}, {"n": 2}]))
    >>> asyncio.run(store.get_many(["a", "b"]))
    [{'n': 1}, {'n': 2}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, SupportsFloat, TypeVar

from kvdeco._proxy import BaseWrapper
from kvdeco.lookup import unwrap
from kvdeco.operations import PROTOCOL_OPERATIONS
from kvdeco.validation import (
    check_key,
    check_keys,
    check_many,
    check_ttl,
    collection_name,
    copy_value,
)

__all__ = ["StoreAdapter", "adapt"]

S = TypeVar("S")

_Pair = tuple[dict[str, Any] | None, float | None]


def adapt(store: S, *, exact_delete: bool = False) -> S:
    """Return ``store`` with all eight operations and kvdeco's input rules.

    A kvdeco store (or a stack of kvdeco wrappers over one, or an adapted store) is returned
    unchanged; anything else with ``get``, ``put`` and ``delete`` is wrapped in a
    :class:`StoreAdapter`.

    Args:
        store: The store to adapt.
        exact_delete: Read before deleting, so only live entries count as deleted.

    Raises:
        TypeError: ``store`` has no ``get``, ``put`` or ``delete``.
    """
    if _is_native(store):
        return store
    return StoreAdapter(store, exact_delete=exact_delete)  # type: ignore[return-value]


def _is_native(store: Any) -> bool:
    current = store
    while isinstance(current, BaseWrapper):
        if isinstance(current, StoreAdapter):
            return True
        current = current.__wrapped__
    inner = unwrap(store)
    return type(inner).__module__.partition(".")[0] == "kvdeco"


def _collection(collection: str | None, operation: str) -> str | None:
    # The store applies its own default collection to None.
    return (
        None if collection is None or collection == "" else collection_name(collection, operation)
    )


class StoreAdapter(BaseWrapper):
    """A proxy giving a foreign store all eight operations; build it with :func:`adapt`.

    Args:
        key_value: The store to adapt: anything with ``get``, ``put`` and ``delete``.
        exact_delete: Read before deleting, so only live entries count as deleted.
    """

    def __init__(self, key_value: Any, *, exact_delete: bool = False) -> None:
        if not isinstance(exact_delete, bool):
            raise TypeError("exact_delete must be a bool")
        missing = [n for n in ("get", "put", "delete") if not callable(getattr(key_value, n, None))]
        if isinstance(key_value, type) or missing:
            raise TypeError(
                f"adapt() needs a store instance with get, put and delete; "
                f"{type(key_value).__name__} has no {', '.join(missing) or 'instance methods'}"
            )
        super().__init__(key_value)
        self._self_exact_delete = exact_delete
        # The store's own bulk and TTL methods, where it has them (None: filled in here).
        self._self_native = {
            op.name: getattr(key_value, op.name, None)
            for op in PROTOCOL_OPERATIONS
            if callable(getattr(key_value, op.name, None))
        }

    @property
    def filled_in(self) -> list[str]:
        """The operations this adapter provides because the store lacks them."""
        return [op.name for op in PROTOCOL_OPERATIONS if op.name not in self._self_native]

    def __repr__(self) -> str:
        return f"adapt({self.__wrapped__!r})"

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Read one key from the store."""
        collection = _collection(collection, "get")
        return await self.__wrapped__.get(check_key(key, "get", collection), collection=collection)  # type: ignore[no-any-return]

    async def ttl(self, key: str, *, collection: str | None = None) -> _Pair:
        """The store's ``ttl``, or ``(get(key), None)`` if it has none."""
        collection = _collection(collection, "ttl")
        key = check_key(key, "ttl", collection)
        native = self._self_native.get("ttl")
        if native is not None:
            return await native(key, collection=collection)  # type: ignore[no-any-return]
        value = await self.__wrapped__.get(key, collection=collection)
        return (value, None)

    async def put(
        self,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Check the call by kvdeco's rules, then write a private copy of ``value``."""
        collection = _collection(collection, "put")
        key = check_key(key, "put", collection)
        seconds = check_ttl(ttl, "put", collection)
        copied = copy_value(value, "put", collection, key)
        await self.__wrapped__.put(key, copied, collection=collection, ttl=seconds)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete one key from the store."""
        collection = _collection(collection, "delete")
        key = check_key(key, "delete", collection)
        if self._self_exact_delete:
            live = await self.__wrapped__.get(key, collection=collection) is not None
            return bool(await self.__wrapped__.delete(key, collection=collection)) and live
        return bool(await self.__wrapped__.delete(key, collection=collection))

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """The store's ``get_many``, or one ``get`` per key."""
        collection = _collection(collection, "get_many")
        keys = check_keys(keys, "get_many", collection)
        native = self._self_native.get("get_many")
        if native is not None:
            return list(await native(keys, collection=collection))
        get = self.__wrapped__.get
        return [await get(key, collection=collection) for key in keys]

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> list[_Pair]:
        """The store's ``ttl_many``, or one ``ttl`` per key."""
        collection = _collection(collection, "ttl_many")
        keys = check_keys(keys, "ttl_many", collection)
        native = self._self_native.get("ttl_many")
        if native is not None:
            return list(await native(keys, collection=collection))
        return [await self.ttl(key, collection=collection) for key in keys]

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Check every entry first, then the store's ``put_many`` or one ``put`` per key.

        Filled in from ``put``, the batch is not atomic: a failure of the store part-way
        leaves the earlier entries written. An invalid entry still writes nothing.
        """
        collection = _collection(collection, "put_many")
        keys = check_keys(keys, "put_many", collection)
        check_many(keys, values, "put_many")
        seconds = check_ttl(ttl, "put_many", collection)
        copies = [copy_value(v, "put_many", collection, k) for k, v in zip(keys, values)]
        native = self._self_native.get("put_many")
        if native is not None:
            await native(keys, copies, collection=collection, ttl=seconds)
            return
        put = self.__wrapped__.put
        for key, copied in zip(keys, copies):
            await put(key, copied, collection=collection, ttl=seconds)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """The store's ``delete_many``, or one ``delete`` per distinct key."""
        collection = _collection(collection, "delete_many")
        keys = list(dict.fromkeys(check_keys(keys, "delete_many", collection)))
        live = len(keys)
        if self._self_exact_delete and keys:
            found = await self.get_many(keys, collection=collection)
            live = sum(value is not None for value in found)
        native = self._self_native.get("delete_many")
        if native is not None:
            return min(int(await native(keys, collection=collection)), live)
        delete = self.__wrapped__.delete
        return min(sum([bool(await delete(key, collection=collection)) for key in keys]), live)
