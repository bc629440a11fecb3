"""Small stores and wrappers for testing the test kit: correct ones and deliberately broken ones.

The correct wrappers are small versions of kvdeco's own, written apart from them so that the
kit is checked against code other than the code it is meant to check; the broken ones each
carry one defect the kit must report.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken

from kvdeco import Aspect, KeyMapper, MemoryStore, ReadOnlyError, ValueCodec
from kvdeco.errors import DecryptionError
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_key, check_ttl
from kvdeco.wrappers.base import AspectWrapper

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
    label: ClassVar[str] = "fake_retry"
    max_retries: int = 3

    async def around(self, call: Call, proceed: Proceed) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                return await proceed(call)
            except (ConnectionError, TimeoutError):
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
