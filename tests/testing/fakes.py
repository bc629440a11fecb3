"""Small stores and wrappers for testing the test kit: correct ones and deliberately broken ones.

The correct wrappers stand in for kvdeco's own until those exist; the broken ones each carry
one defect the kit must report.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import gzip
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken

from kvdeco import Aspect, KeyMapper, MemoryStore, ReadOnlyError, ValueCodec
from kvdeco.errors import DecryptionError, EntryTooLargeError
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_key, check_ttl, check_value
from kvdeco.wrappers.base import AspectWrapper
from kvdeco.wrappers.passthrough_cache import PassthroughCache

# -- broken stores ----------------------------------------------------------------------


class ForgetfulTTLStore(MemoryStore):
    """Checks the TTL, then stores the entry without it."""

    async def put(
        self, key: str, value: Mapping[str, Any], *, collection: str | None = None, ttl: Any = None
    ) -> None:
        check_ttl(ttl)
        await super().put(key, value, collection=collection)


class ReorderingStore(MemoryStore):
    """``get_many`` answers in reverse order."""

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> list[Any]:
        return list(reversed(await super().get_many(keys, collection=collection)))


class LiveObjectStore(MemoryStore):
    """``get`` hands out the stored dict itself instead of a copy."""

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        if await super().get(key, collection=collection) is None:
            return None
        return self._collections[self._name(collection, "get")][check_key(key, "get")][0]


class MiscountingStore(MemoryStore):
    """``delete_many`` reports every key it was given as deleted."""

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        await super().delete_many(keys, collection=collection)
        return len(keys)


# -- wrappers: a colliding prefix, encryption with and without binding ----------------------


@dataclasses.dataclass(frozen=True, repr=False)
class GluedPrefix(KeyMapper):
    """Puts the prefix straight before the key: ``"a" + "bc"`` meets ``"ab" + "c"``."""

    label: ClassVar[str] = "glued_prefix"
    prefix: str

    def inner_key(self, key: str, collection: str | None) -> str:
        return self.prefix + key

    def outer_key(self, inner_key: str, collection: str | None) -> str | None:
        return inner_key[len(self.prefix) :] if inner_key.startswith(self.prefix) else None


def glued_prefix(store: Any, prefix: str) -> AspectWrapper:
    return AspectWrapper(store, GluedPrefix(prefix))


_FERNET = Fernet(Fernet.generate_key())


@dataclasses.dataclass(frozen=True, repr=False)
class FakeEncryption(ValueCodec):
    """Fernet envelopes. ``sealed`` binds the key and collection in, so a moved envelope fails."""

    label: ClassVar[str] = "fake_encryption"
    sealed: bool = True
    leaky: bool = False  # a broken one also keeps the value in clear beside the token

    def _seal(self, key: str, collection: str | None) -> list[Any]:
        return [key, collection or ""] if self.sealed else []

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        plain = json.dumps([self._seal(key, collection), dict(value)]).encode()
        token = base64.b64encode(_FERNET.encrypt(plain)).decode()
        envelope: dict[str, Any] = {"__encrypted_data__": token, "__encryption_version__": 1}
        if self.leaky:
            envelope["debug"] = json.dumps(dict(value), ensure_ascii=False)
        return envelope

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        try:
            seal, value = json.loads(
                _FERNET.decrypt(base64.b64decode(stored["__encrypted_data__"]))
            )
        except (InvalidToken, ValueError, KeyError, TypeError):
            raise DecryptionError("envelope does not decrypt", key=key) from None
        if seal != self._seal(key, collection):
            raise DecryptionError("envelope belongs elsewhere", key=key)
        return value  # type: ignore[no-any-return]


def fake_encryption(store: Any, *, sealed: bool = True, leaky: bool = False) -> AspectWrapper:
    return AspectWrapper(store, FakeEncryption(sealed, leaky))


# -- stand-ins for the wrappers being written elsewhere -----------------------------------


@dataclasses.dataclass(frozen=True, repr=False)
class FakeReadOnly(Aspect):
    label: ClassVar[str] = "fake_read_only"
    leaky: bool = False  # a broken one lets deletes through

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if call.op.kind is Kind.WRITE or (call.op.kind is Kind.DELETE and not self.leaky):
            raise ReadOnlyError(operation=call.op.name)
        return await proceed(call)


@dataclasses.dataclass(frozen=True, repr=False)
class FakeClamp(Aspect):
    label: ClassVar[str] = "fake_clamp"
    low: float
    high: float

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if call.op.kind is Kind.WRITE and call.ttl is not None:
            seconds = check_ttl(call.ttl, call.op.name)
            assert seconds is not None
            call = call.replace(ttl=min(max(seconds, self.low), self.high))
        return await proceed(call)


@dataclasses.dataclass(frozen=True, repr=False)
class FakeCompression(ValueCodec):
    label: ClassVar[str] = "fake_compression"
    min_size: int = 1024

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        if len(json.dumps(value, sort_keys=True)) < self.min_size:
            return value
        data = gzip.compress(json.dumps(value).encode(), compresslevel=1)
        return {"__compressed_data__": base64.b64encode(data).decode()}

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        if "__compressed_data__" not in stored:
            return stored
        return json.loads(gzip.decompress(base64.b64decode(stored["__compressed_data__"])))  # type: ignore[no-any-return]


@dataclasses.dataclass(frozen=True, repr=False)
class FakeRetry(Aspect):
    """Retries what ``retry_on`` names; a broken one names errors that are never retried."""

    label: ClassVar[str] = "fake_retry"
    max_retries: int = 3
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                return await proceed(call)
            except self.retry_on:
                if attempt == self.max_retries:
                    raise
        raise AssertionError("unreachable")


class FakeFallback:
    """Reads fall back on any error; writes go to the primary."""

    def __init__(self, primary: Any, fallback: Any) -> None:
        self.primary, self.fallback = primary, fallback

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        try:
            return await self.primary.get(key, collection=collection)
        except Exception:
            return await self.fallback.get(key, collection=collection)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        try:
            return await self.primary.get_many(keys, collection=collection)
        except Exception:
            return await self.fallback.get_many(keys, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        await self.primary.put(key, value, collection=collection, ttl=ttl)


# -- broken stores the model check must catch at the default profile ---------------------


class ListsExpiredKeysStore(MemoryStore):
    """``keys()`` lists every key it holds, expired ones included."""

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        listed = list(self._collections.get(self._name(collection, "keys"), {}))
        return listed if limit is None else listed[:limit]


class ListsEmptiedCollectionsStore(MemoryStore):
    """``collections()`` lists every collection ever written, even once all is deleted."""

    async def collections(self, *, limit: int | None = None) -> list[str]:
        listed = list(self._collections)
        return listed if limit is None else listed[:limit]


class GreedyDestroyStore(MemoryStore):
    """``destroy_collection("c")`` also removes the collections whose names start with "c"."""

    async def destroy_collection(self, collection: str) -> bool:
        doomed = [name for name in self._collections if name.startswith(collection)]
        had = any(bool(self._collections[name]) for name in doomed)
        for name in doomed:
            del self._collections[name]
        return had


class LateExpiryStore(MemoryStore):
    """Still returns an entry at exactly its expiry instant (expires after, not at, it)."""

    def _lookup(self, entries: Any, key: str, now: float) -> Any:
        return super()._lookup(entries, key, now - 1e-9)


class ForgetfulUnderVolumeStore(MemoryStore):
    """Quietly stops storing new keys once it holds 40 entries in all (no bound configured)."""

    def _store(self, name: str, key: str, value: dict[str, Any], expires: float | None) -> None:
        held = sum(len(entries) for entries in self._collections.values())
        if held >= 40 and key not in self._collections.get(name, {}):
            return
        super()._store(name, key, value, expires)


class RaisingDestroyCollectionStore(MemoryStore):
    """``destroy_collection`` of a collection it never held raises ``KeyError``."""

    async def destroy_collection(self, collection: str) -> bool:
        name = self._name(collection, "destroy_collection")
        if name not in self._collections:
            raise KeyError(name)
        return await super().destroy_collection(collection)


class DefectiveDestroyStore(MemoryStore):
    """A store whose ``destroy()`` is defective: it must not be called when not declared."""

    async def destroy(self) -> bool:
        raise NotImplementedError("destroy is not supported")


# -- broken caches: kvdeco's passthrough cache with one defect each ------------------------


@dataclasses.dataclass(frozen=True, repr=False)
class StaleCache(PassthroughCache):
    """Forgets to drop the cached copies of one bulk operation (``skips``), or keeps copies
    for ``maximum_ttl`` whatever the store's remaining TTL (``outlives_store``)."""

    skips: str = ""
    outlives_store: bool = False

    def cache_ttl(self, remaining: float | None) -> float | None:
        return self.maximum_ttl if self.outlives_store else super().cache_ttl(remaining)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if call.op.name == self.skips:
            return await proceed(call)
        return await super().around(call, proceed)


def stale_cache(store: Any, cache: Any, **defect: Any) -> AspectWrapper:
    return AspectWrapper(store, StaleCache(cache, **defect))


# -- stand-ins for size limit, logging and timeout, correct or with one defect --------------


@dataclasses.dataclass(frozen=True, repr=False)
class FakeLimit(Aspect):
    """Refuses values over ``max_size``; broken: ``at_the_bound`` refuses a value of exactly
    ``max_size`` too, ``singles_only`` lets ``put_many`` through unchecked."""

    label: ClassVar[str] = "fake_limit"
    max_size: int
    at_the_bound: bool = False
    singles_only: bool = False

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if call.op.kind is Kind.WRITE and not (self.singles_only and call.op.many):
            for key, value in zip(call.keys, call.values or ()):
                check_key(key, call.op.name)
                check_value(value, call.op.name, call.collection, key)
                try:
                    size = len(json.dumps(value, sort_keys=True))
                except (TypeError, ValueError):
                    continue  # not JSON: the store refuses it with SerializationError
                if size > self.max_size or (self.at_the_bound and size == self.max_size):
                    raise EntryTooLargeError(size, self.max_size, operation=call.op.name)
        return await proceed(call)


@dataclasses.dataclass(frozen=True, repr=False)
class FakeLogging(Aspect):
    """Logs each operation; broken: ``leaky`` logs the values written, ``skips`` names an
    operation it does not log."""

    label: ClassVar[str] = "fake_logging"
    logger: logging.Logger
    leaky: bool = False
    skips: str = ""

    async def around(self, call: Call, proceed: Proceed) -> Any:
        result = await proceed(call)
        if call.op.name != self.skips:
            shown = f" values={list(call.values or ())!r}" if self.leaky else ""
            self.logger.debug("%s keys=%r%s", call.op.name.upper(), list(call.keys), shown)
        return result


@dataclasses.dataclass(frozen=True, repr=False)
class FakeTimeout(Aspect):
    """Times calls out after ``seconds``; broken: ``singles_only`` lets bulk calls run on."""

    label: ClassVar[str] = "fake_timeout"
    seconds: float
    singles_only: bool = False

    async def around(self, call: Call, proceed: Proceed) -> Any:
        if self.singles_only and call.op.many:
            return await proceed(call)
        async with asyncio.timeout(self.seconds):
            return await proceed(call)
