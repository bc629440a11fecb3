"""Read through a fast cache store in front of a slower store.

A read is answered by the cache when it holds the key. On a miss, the store is read with its
remaining TTLs and what it found is copied into the cache, with the store's remaining TTL
capped at ``maximum_ttl`` (``missing_ttl`` for entries that never expire); bulk misses are
copied with one ``put_many`` per distinct TTL. ``{}`` is a value like any other, so it is
cached and hit. Writes and deletes go to the store, then drop the cache's copy. An entry
about to expire (0 s left) is returned without being copied.

Concurrent misses of one key share one read of the store (``single_flight``, on by default).

**What a write through the wrapper guarantees.** Once a ``put`` or ``delete`` through this
wrapper has returned, no read through it returns the value from before: a read of the store
that overlapped the write never fills the cache (each key's reads in flight are marked when a
write of the key begins and ends), and a fill that was already under way when the write began
is dropped again after it lands. This holds for one wrapper in one event loop. Other
processes, or other wrapper instances sharing the cache, do not see each other's reads in
flight: their writes still drop the cache's copy, but a read of theirs that overlapped the
write may put the old value back, until the copy expires (``maximum_ttl`` bounds that).

**Optional behaviours** (off by default). With any of them on, the cache holds an envelope
(the value, or the mark of a miss, and when it stops being fresh) instead of a plain copy:

- ``negative_ttl``: a key the store does not hold is remembered as missing for that long; a
  write through the wrapper forgets it at once.
- ``stale_ttl``: after a copy stops being fresh, it is still served for up to that long while
  one task per key refreshes it from the store in the background. A failed refresh is logged
  (without the value) and counted in ``refresh_failures``; the stale copy is then dropped,
  unless ``stale_if_error`` keeps serving it for the rest of ``stale_ttl``.
- ``early_refresh``: the XFetch rule; a fresh copy is refreshed in the background with a
  probability that rises as its expiry nears (``early_refresh`` is the rule's beta: 1 is the
  usual choice, higher refreshes earlier), so a hot key does not expire for all readers at once.

``ttl()`` answered by the cache reports the copy's remaining freshness (at most
``maximum_ttl``), which can be shorter than the store's; a stale copy reports 0.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import InvalidTTLError
from kvdeco.operations import OPERATIONS, Call, Kind, Proceed
from kvdeco.validation import fresh_copy
from kvdeco.wrappers._arguments import checked, flag, number, one_of, store_instance
from kvdeco.wrappers._flights import Flights, Slot, Watch, guarded_write
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["PassthroughCache", "PassthroughCacheWrapper", "passthrough_cache"]

_TTL, _TTL_MANY = OPERATIONS["ttl"], OPERATIONS["ttl_many"]
_LOGGER = logging.getLogger("kvdeco.passthrough_cache")

_ENVELOPE = "kvdeco_cache"
"""The field that marks a cache entry as an envelope (its value is the format version)."""

_SECONDS_OR_NONE = checked(number, allow_none=True)


@dataclasses.dataclass(frozen=True, repr=False)
class PassthroughCache(Aspect):
    """The aspect behind :func:`passthrough_cache`: the wrapped store is the source of truth.

    See :class:`PassthroughCacheWrapper` for the arguments.
    """

    label: ClassVar[str] = "passthrough_cache"
    exposed: ClassVar[tuple[str, ...]] = ("refresh_failures", "wait_for_refreshes")
    cache: Any = dataclasses.field(metadata=checked(store_instance))
    _: dataclasses.KW_ONLY
    maximum_ttl: float = dataclasses.field(default=1800.0, metadata=checked(number))
    missing_ttl: float | None = dataclasses.field(default=1800.0, metadata=_SECONDS_OR_NONE)
    single_flight: bool = dataclasses.field(default=True, metadata=checked(flag))
    negative_ttl: float | None = dataclasses.field(default=None, metadata=_SECONDS_OR_NONE)
    stale_ttl: float | None = dataclasses.field(default=None, metadata=_SECONDS_OR_NONE)
    stale_if_error: bool = dataclasses.field(default=False, metadata=checked(flag))
    early_refresh: float = dataclasses.field(default=0.0, metadata=checked(number, inclusive=True))

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stale_if_error and self.stale_ttl is None:
            raise ValueError("stale_if_error needs stale_ttl: how long a stale copy may be served")

    @property
    def enveloped(self) -> bool:
        """Whether the cache holds envelopes (some optional behaviour is on)."""
        return bool(self.negative_ttl or self.stale_ttl or self.early_refresh)

    def cache_ttl(self, remaining: float | None) -> float | None:
        """The TTL a store entry gets in the cache, given its remaining TTL in the store."""
        if remaining is None:
            return self.missing_ttl
        return min(remaining, self.maximum_ttl)

    def bind(self) -> _CacheRuntime:
        """Each store gets its own reads in flight and background refreshes."""
        return _CacheRuntime(self)


class _Entry:
    """What the cache said about one key."""

    __slots__ = ("cost", "fresh_for", "hit", "value")

    def __init__(
        self, hit: bool, value: Any = None, fresh_for: float | None = None, cost: float = 0.0
    ) -> None:
        self.hit = hit
        self.value = value
        self.fresh_for = fresh_for  # seconds of freshness left; None: no expiry
        self.cost = cost  # seconds the store took to produce the value


_MISS = _Entry(False)


class _CacheRuntime:
    """The per-store state of :class:`PassthroughCache`."""

    def __init__(self, aspect: PassthroughCache) -> None:
        self.aspect = aspect
        self.cache = aspect.cache
        self.flights = Flights()
        self.refresh_failures = 0
        self._refreshing: dict[Slot, asyncio.Task[None]] = {}

    async def wait_for_refreshes(self) -> None:
        """Wait until every background refresh started so far has finished."""
        while self._refreshing:
            await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op.kind is Kind.READ:
            return await self._read(call, proceed)
        if op.is_write:
            return await guarded_write(self.flights, call, lambda c: self._write(c, proceed))
        return await proceed(call)

    async def _write(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
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
            await self._drop(call.collection, call.keys, many=op.many)

    async def _drop(
        self, collection: str | None, keys: Sequence[str], *, many: bool = True
    ) -> None:
        if not many:
            await self.cache.delete(keys[0], collection=collection)
        elif keys:
            await self.cache.delete_many(keys, collection=collection)

    # -- reads ---------------------------------------------------------------------------

    async def _read(self, call: Call, proceed: Proceed) -> Any:
        if not call.op.many and not self.aspect.enveloped:
            # The common case, kept short: a plain copy of one key.
            cached = await call.op.invoke(self.cache, call)
            if (cached[0] if call.op.with_ttl else cached) is not None:
                return cached
            return await self._answer(call, proceed, [_MISS])
        return await self._answer(call, proceed, await self._look_up(call))

    async def _answer(self, call: Call, proceed: Proceed, entries: list[_Entry]) -> Any:
        """Answer ``call`` from what the cache said, reading the store for the misses."""
        op, collection = call.op, call.collection
        now = time.time()
        missing = [key for key, entry in zip(call.keys, entries) if not entry.hit]
        found: dict[str, tuple[Any, float | None]] = {}
        if missing:
            slots = [(collection, key) for key in missing]
            shared = await self.flights.read(
                slots, self._fetcher(call, proceed), share=self.aspect.single_flight
            )
            found = dict(zip(missing, shared))
        results = []
        served: set[str] = set()
        for key, entry in zip(call.keys, entries):
            if not entry.hit:
                value, remaining = found[key]
                if key in served and value is not None:
                    value = fresh_copy(value)  # a repeated key gets its own dict, as from a store
            else:
                value = entry.value
                remaining = None if value is None else entry.fresh_for  # a remembered miss
                self._maybe_refresh(collection, key, entry, now, proceed)
            served.add(key)
            results.append((value, remaining) if op.with_ttl else value)
        return results if op.many else results[0]

    async def _look_up(self, call: Call) -> list[_Entry]:
        """Ask the cache for every key of ``call``."""
        cache, collection = self.cache, call.collection
        if not self.aspect.enveloped:
            raw = await call.op.invoke(cache, call)
            items = raw if call.op.many else [raw]
            if call.op.with_ttl:
                return [_MISS if v is None else _Entry(True, v, r) for v, r in items]
            return [_MISS if v is None else _Entry(True, v) for v in items]
        if call.op.many:
            raw = await cache.get_many(call.keys, collection=collection)
        else:
            raw = [await cache.get(call.keys[0], collection=collection)]
        now = time.time()
        return [self._unwrap(item, now) for item in raw]

    def _unwrap(self, item: Any, now: float) -> _Entry:
        if item is None or item.get(_ENVELOPE) != 1:
            return _MISS  # left by another configuration: not trusted as a value
        fresh_until = item.get("fresh_until")
        fresh_for = None if fresh_until is None else fresh_until - now
        value = item.get("value")
        if fresh_for is not None and fresh_for <= 0:
            if value is None or self.aspect.stale_ttl is None:
                return _MISS
            fresh_for = 0.0
        return _Entry(True, value, fresh_for, float(item.get("cost", 0.0)))

    def _fetcher(self, call: Call, proceed: Proceed) -> Any:
        collection, many = call.collection, call.op.many

        async def fetch(wanted: list[Slot], watches: list[Watch]) -> list[Any]:
            keys = [key for _, key in wanted]
            started = time.monotonic()
            if many:
                entries = list(await proceed(call.replace(op=_TTL_MANY, keys=keys)))
            else:
                entries = [await proceed(call.replace(op=_TTL, keys=keys))]
            cost = time.monotonic() - started
            await self._fill(collection, keys, entries, watches, cost, many=many)
            return entries

        return fetch

    async def _fill(
        self,
        collection: str | None,
        keys: list[str],
        entries: list[tuple[Any, float | None]],
        watches: list[Watch],
        cost: float,
        *,
        many: bool,
    ) -> None:
        """Copy what the store said into the cache, for keys nobody wrote meanwhile."""
        groups: dict[float | None, tuple[list[str], list[Any]]] = {}
        now = time.time()
        for key, (value, remaining), watch in zip(keys, entries, watches):
            if watch.stale:
                continue
            copy = self._copy_for_cache(value, remaining, now, cost)
            if copy is None:
                continue
            item, ttl = copy
            names, values = groups.setdefault(ttl, ([], []))
            names.append(key)
            values.append(item)
        filled: list[str] = []
        for ttl, (names, values) in groups.items():
            try:
                if not many:
                    await self.cache.put(names[0], values[0], collection=collection, ttl=ttl)
                else:
                    await self.cache.put_many(names, values, collection=collection, ttl=ttl)
            except InvalidTTLError:
                continue  # the cache refuses a TTL this short: the entry is about to expire
            filled.extend(names)
        # A write that began while the fill was on its way may have dropped the cache's copy
        # before the fill landed: drop it again.
        overtaken = [k for k, w in zip(keys, watches) if w.stale and k in filled]
        await self._drop(collection, overtaken)

    def _copy_for_cache(
        self, value: Any, remaining: float | None, now: float, cost: float
    ) -> tuple[Any, float | None] | None:
        """The cache entry and its TTL for what the store said, or ``None`` to copy nothing."""
        aspect = self.aspect
        if remaining is not None and not remaining > 0:
            return None  # expiring as we speak
        if not aspect.enveloped:
            return None if value is None else (value, aspect.cache_ttl(remaining))
        if value is None:
            if aspect.negative_ttl is None:
                return None
            fresh = aspect.negative_ttl
            return {_ENVELOPE: 1, "value": None, "fresh_until": now + fresh}, fresh
        fresh_ttl = aspect.cache_ttl(remaining)
        envelope = {
            _ENVELOPE: 1,
            "value": value,
            "fresh_until": None if fresh_ttl is None else now + fresh_ttl,
            "cost": cost,
        }
        if fresh_ttl is None:
            return envelope, None
        return envelope, fresh_ttl + (aspect.stale_ttl or 0.0)

    # -- background refresh --------------------------------------------------------------

    def _maybe_refresh(
        self, collection: str | None, key: str, entry: _Entry, now: float, proceed: Proceed
    ) -> None:
        if entry.fresh_for is None or entry.value is None:
            return
        if entry.fresh_for > 0:
            beta = self.aspect.early_refresh
            # XFetch: refresh when now - cost * beta * ln(u) passes the expiry, u in (0, 1].
            if not beta or -entry.cost * beta * math.log(1.0 - random.random()) < entry.fresh_for:
                return
        slot = (collection, key)
        if slot not in self._refreshing:
            task = asyncio.ensure_future(self._refresh(collection, key, proceed))
            self._refreshing[slot] = task
            task.add_done_callback(lambda _: self._refreshing.pop(slot, None))

    async def _refresh(self, collection: str | None, key: str, proceed: Proceed) -> None:
        call = Call(_TTL, (key,), collection)
        try:
            await self.flights.read([(collection, key)], self._fetcher(call, proceed))
        except Exception as error:
            self.refresh_failures += 1
            _LOGGER.warning(
                "passthrough_cache: refreshing a key failed",
                extra={"key": key, "collection": collection, "error": type(error).__name__},
            )
            if not self.aspect.stale_if_error:
                await self._drop(collection, [key])


class PassthroughCacheWrapper(AspectWrapper, exposes=PassthroughCache):
    """A store read through a cache store (the specification's ``PassthroughCacheWrapper``).

    The proxy wraps the store: ``isinstance(wrapper, type(store))`` holds. Closing the
    wrapper (``close()`` or leaving ``async with``) waits for background refreshes, then
    closes the store and the cache.

    Args:
        cache: The fast store that keeps copies (py-key-value's ``cache_key_value``).
        store: The store that holds the data (py-key-value's ``primary_key_value``).
        maximum_ttl: The longest a copy of an entry with a TTL stays fresh in the cache, in
            seconds (an entry without one stays ``missing_ttl``).
        missing_ttl: How long a copy of an entry without TTL stays in the cache; ``None``
            keeps it until a write or delete through this wrapper drops it.
        single_flight: Whether concurrent misses of one key share one read of the store.
        negative_ttl: How long a key the store does not hold is remembered as missing.
        stale_ttl: How long after it stops being fresh a copy is still served while it is
            refreshed in the background.
        stale_if_error: Keep serving a stale copy when its refresh fails.
        early_refresh: The XFetch rule's beta: refresh fresh copies early, at random, more
            likely as they near expiry (0: never early).

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = PassthroughCacheWrapper(cache=MemoryStore(), store=MemoryStore())
        >>> hardened = PassthroughCacheWrapper(
        ...     cache=MemoryStore(), store=MemoryStore(), negative_ttl=60, stale_ttl=300
        ... )
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
        single_flight: bool = True,
        negative_ttl: float | None = None,
        stale_ttl: float | None = None,
        stale_if_error: bool = False,
        early_refresh: float = 0.0,
    ) -> None:
        cache = one_of(cache, cache_key_value, "cache", "cache_key_value")
        store = one_of(store, primary_key_value, "store", "primary_key_value")
        aspect = PassthroughCache(
            cache=cache,
            maximum_ttl=maximum_ttl,
            missing_ttl=missing_ttl,
            single_flight=single_flight,
            negative_ttl=negative_ttl,
            stale_ttl=stale_ttl,
            stale_if_error=stale_if_error,
            early_refresh=early_refresh,
        )
        super().__init__(store, aspect)

    if TYPE_CHECKING:
        # ``exposes=PassthroughCache`` makes these read this store's runtime; the declarations
        # only tell type checkers what they are.

        @property
        def refresh_failures(self) -> int:
            """How many background refreshes failed."""
            ...

        async def wait_for_refreshes(self) -> None:
            """Wait until every background refresh started so far has finished."""
            ...

    async def close(self) -> None:
        """Wait for background refreshes, then close the store and the cache."""
        await self.wait_for_refreshes()
        for store in (self.__wrapped__, self._self_aspect.cache):  # type: ignore[attr-defined]
            close = getattr(store, "close", None)
            if close is not None:
                await close()

    async def __aenter__(self) -> Any:
        await super().__aenter__()
        enter = getattr(self._self_aspect.cache, "__aenter__", None)  # type: ignore[attr-defined]
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.wait_for_refreshes()
        try:
            await super().__aexit__(*exc_info)
        finally:
            cache = self._self_aspect.cache  # type: ignore[attr-defined]
            exit_ = getattr(cache, "__aexit__", None)
            if exit_ is not None:
                await exit_(*exc_info)
            elif getattr(cache, "close", None) is not None:
                await cache.close()


passthrough_cache = CalledDecoratorFactory(
    PassthroughCache,
    PassthroughCacheWrapper,
    name="passthrough_cache",
    doc="""Decorate a store class or instance so reads go through ``cache``.

    Takes the keyword arguments of :class:`PassthroughCacheWrapper`. Every instance of a
    decorated class shares the one ``cache``; each instance keeps its own reads in flight.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @passthrough_cache(MemoryStore(), maximum_ttl=60, negative_ttl=30)
        ... class CachedStore(MemoryStore):
        ...     pass
    """,
)
