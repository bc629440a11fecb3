"""Read through a fast cache store in front of a slower store.

A read is answered by the cache when it holds the key. On a miss, the store is read with its
remaining TTLs and what it found is copied into the cache, with the store's remaining TTL
capped at ``maximum_ttl`` (``missing_ttl`` for entries that never expire); bulk misses are
copied with one ``put_many`` per distinct TTL. ``{}`` is a value like any other, so it is
cached and hit. Writes and deletes go to the store, then drop the cache's copy.

``ttl()`` answered by the cache reports the cache entry's remaining time (at most
``maximum_ttl``), which can be shorter than the store's.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco.aspect import Aspect
from kvdeco.decorating import Decorator
from kvdeco.operations import OPERATIONS, Call, Kind, Proceed
from kvdeco.validation import fresh_copy
from kvdeco.wrappers._arguments import number, one_of
from kvdeco.wrappers.base import AspectWrapper, _check_store

__all__ = ["PassthroughCache", "PassthroughCacheWrapper", "passthrough_cache"]

_TTL, _TTL_MANY = OPERATIONS["ttl"], OPERATIONS["ttl_many"]


@dataclasses.dataclass(frozen=True, repr=False)
class PassthroughCache(Aspect):
    """The aspect behind :func:`passthrough_cache`: the wrapped store is the source of truth."""

    label: ClassVar[str] = "passthrough_cache"
    cache: Any
    maximum_ttl: float = 1800.0
    missing_ttl: float | None = 1800.0

    def __post_init__(self) -> None:
        _check_store(self.cache, "cache")
        object.__setattr__(self, "maximum_ttl", number(self.maximum_ttl, "maximum_ttl"))
        object.__setattr__(
            self,
            "missing_ttl",
            None if self.missing_ttl is None else number(self.missing_ttl, "missing_ttl"),
        )

    def cache_ttl(self, remaining: float | None) -> float | None:
        """The TTL a store entry gets in the cache, given its remaining TTL in the store."""
        if remaining is None:
            return self.missing_ttl
        return min(remaining, self.maximum_ttl)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op.kind is Kind.READ:
            return await (self._read_many(call, proceed) if op.many else self._read(call, proceed))
        if op.capability:
            result = await proceed(call)
            if op.name == "destroy_collection" and hasattr(self.cache, "destroy_collection"):
                await self.cache.destroy_collection(call.collection)
            elif op.name == "destroy" and hasattr(self.cache, "destroy"):
                await self.cache.destroy()
            return result
        try:
            return await proceed(call)
        finally:
            # Also after a failed write: the store may hold the new value or not.
            if op.many:
                await self.cache.delete_many(call.keys, collection=call.collection)
            else:
                await self.cache.delete(call.keys[0], collection=call.collection)

    async def _read(self, call: Call, proceed: Proceed) -> Any:
        cached = await call.op.invoke(self.cache, call)
        if (cached[0] if call.op.with_ttl else cached) is not None:
            return cached
        value, remaining = entry = await proceed(call.replace(op=_TTL))
        if value is not None:
            ttl = self.cache_ttl(remaining)
            await self.cache.put(call.keys[0], value, collection=call.collection, ttl=ttl)
        return entry if call.op.with_ttl else value

    async def _read_many(self, call: Call, proceed: Proceed) -> list[Any]:
        with_ttl = call.op.with_ttl
        results = list(await call.op.invoke(self.cache, call))
        missing = [i for i, item in enumerate(results) if (item[0] if with_ttl else item) is None]
        if not missing:
            return results
        wanted = list(dict.fromkeys(call.keys[i] for i in missing))
        found = dict(zip(wanted, await proceed(call.replace(op=_TTL_MANY, keys=wanted))))
        groups: dict[float | None, tuple[list[str], list[Any]]] = {}
        for key, (value, remaining) in found.items():
            if value is not None:
                keys, values = groups.setdefault(self.cache_ttl(remaining), ([], []))
                keys.append(key)
                values.append(value)
        for ttl, (keys, values) in groups.items():
            await self.cache.put_many(keys, values, collection=call.collection, ttl=ttl)
        handed_out: set[str] = set()
        for i in missing:
            key = call.keys[i]
            value, remaining = found[key]
            if key in handed_out and value is not None:
                value = fresh_copy(value)  # a repeated key gets its own dict, as from a store
            handed_out.add(key)
            results[i] = (value, remaining) if with_ttl else value
        return results


class PassthroughCacheWrapper(AspectWrapper):
    """A store read through a cache store (the specification's ``PassthroughCacheWrapper``).

    The proxy wraps the store: ``isinstance(wrapper, type(store))`` holds.

    Args:
        cache: The fast store that keeps copies (py-key-value's ``cache_key_value``).
        store: The store that holds the data (py-key-value's ``primary_key_value``).
        maximum_ttl: The longest a copy of an entry with a TTL stays in the cache, in seconds
            (an entry without one stays ``missing_ttl``).
        missing_ttl: How long a copy of an entry without TTL stays in the cache; ``None``
            keeps it until a write or delete through this wrapper drops it.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore())
    """

    def __init__(
        self,
        cache: Any = None,
        store: Any = None,
        *,
        maximum_ttl: float = 1800.0,
        missing_ttl: float | None = 1800.0,
        primary_key_value: Any = None,
        cache_key_value: Any = None,
    ) -> None:
        cache = one_of(cache, cache_key_value, "cache", "cache_key_value")
        store = one_of(store, primary_key_value, "store", "primary_key_value")
        super().__init__(store, PassthroughCache(cache, maximum_ttl, missing_ttl))


def passthrough_cache(
    cache: Any, *, maximum_ttl: float = 1800.0, missing_ttl: float | None = 1800.0
) -> Decorator[PassthroughCacheWrapper]:
    """Decorate a store class or instance so reads go through ``cache``.

    Every instance of a decorated class shares the one ``cache``.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @passthrough_cache(MemoryStore(), maximum_ttl=60)
        ... class CachedStore(MemoryStore):
        ...     pass
    """
    return Decorator(PassthroughCache(cache, maximum_ttl, missing_ttl), PassthroughCacheWrapper)
