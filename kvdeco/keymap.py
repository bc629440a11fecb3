"""The base of aspects that rename keys and collections: prefixes and single-collection views.

A :class:`KeyMapper` says how a caller's key and collection map to the inner store's, and how
an inner key maps back (or that it belongs to another view). The base applies the mapping to
every operation, keeps bulk calls bulk, and makes the listing and destroying capabilities
answer for the view only: ``keys()`` lists the view's keys unprefixed, ``destroy()`` deletes
only what the view can see.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from typing import Any

from kvdeco.aspect import Aspect, failed
from kvdeco.operations import (
    COLLECTIONS,
    DELETE_MANY,
    DESTROY,
    DESTROY_COLLECTION,
    KEYS,
    Call,
    Proceed,
)
from kvdeco.validation import check_key, check_keys

__all__ = ["KeyMapper", "check_separator_free"]


def check_separator_free(name: str, what: str, separator: str) -> str:
    """Return ``name`` if it cannot be confused with a separator, else raise ``ValueError``."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    if not isinstance(separator, str) or not separator:
        raise ValueError("separator must be a non-empty str")
    # The separator must first occur right after the name: a name containing it, or ending
    # with part of it ("a_" before "__"), would let two names produce the same stored string.
    if (name + separator).find(separator) != len(name):
        raise ValueError(
            f"{what} {name!r} contains the separator {separator!r} or ends with part of it:"
            " views could collide"
        )
    return name


@dataclasses.dataclass(frozen=True, repr=False)
class KeyMapper(Aspect):
    """An aspect defined by a mapping of keys and collections to the inner store's."""

    def inner_key(self, key: str, collection: str | None) -> str:
        """The inner store's key for a caller's key."""
        return key

    def inner_collection(self, collection: str | None) -> str | None:
        """The inner store's collection for a caller's collection."""
        return collection

    def outer_key(self, inner_key: str, collection: str | None) -> str | None:
        """The caller's key for an inner key, or ``None`` when it belongs to no key of the view."""
        return inner_key

    async def list_collections(self, call: Call, proceed: Proceed) -> list[str]:
        """The view's collections. The default lists the inner store's."""
        return await proceed(call)  # type: ignore[no-any-return]

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        """Map the call's keys and collection; answer listings for the view alone."""
        op = call.op
        if op.capability:
            return self._capability(call, proceed)
        # No coroutine of its own on the hot path: the inner store's awaitable is returned.
        collection = call.collection
        try:
            if op.many:
                keys = check_keys(call.keys, op.name, collection)
                inner_keys: list[str] | tuple[str] = [self.inner_key(k, collection) for k in keys]
            else:
                key = call.keys[0]
                if type(key) is not str:
                    key = check_key(key, op.name, collection)
                inner_keys = (self.inner_key(key, collection),)
            inner = Call(op, inner_keys, self.inner_collection(collection), call.values, call.ttl)
        except Exception as error:
            return failed(error)
        return proceed(inner)

    async def _capability(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op is KEYS:
            return await self._list_keys(call, proceed)
        if op is COLLECTIONS:
            found = await self.list_collections(call.replace(limit=None), proceed)
            return found if call.limit is None else found[: call.limit]
        if op is DESTROY_COLLECTION:
            return await self.destroy_view_collection(call, proceed)
        if op is DESTROY:
            destroyed = False
            for collection in await self.list_collections(Call(COLLECTIONS), proceed):
                destroyed |= await self.destroy_view_collection(
                    Call(DESTROY_COLLECTION, (), collection), proceed
                )
            return destroyed
        return await proceed(call)

    async def _list_keys(self, call: Call, proceed: Proceed) -> list[str]:
        # Filtering happens after listing, so the inner limit cannot be passed down.
        inner = await proceed(
            call.replace(collection=self.inner_collection(call.collection), limit=None)
        )
        found = []
        for inner_key in inner:
            key = self.outer_key(inner_key, call.collection)
            if key is not None:
                found.append(key)
                if call.limit is not None and len(found) >= call.limit:
                    break
        return found

    async def destroy_view_collection(self, call: Call, proceed: Proceed) -> bool:
        """Delete what the view holds in ``call.collection``. The default deletes its keys."""
        keys = await self._list_keys(Call(KEYS, (), call.collection), proceed)
        if not keys:
            return False
        inner_keys = [self.inner_key(k, call.collection) for k in keys]
        collection = self.inner_collection(call.collection)
        deleted = await proceed(Call(DELETE_MANY, inner_keys, collection))
        return bool(deleted)
