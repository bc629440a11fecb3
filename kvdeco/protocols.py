"""The store protocol and its optional capabilities.

These are structural (``typing.Protocol``, runtime-checkable) and have the same shape as
py-key-value's, so a kvdeco store, or any store wrapped by kvdeco, passes either library's
``isinstance`` check and can be handed to code written for either.

Example:
    >>> from kvdeco import MemoryStore
    >>> from kvdeco.protocols import AsyncKeyValue, SupportsKeys
    >>> isinstance(MemoryStore(), AsyncKeyValue), isinstance(MemoryStore(), SupportsKeys)
    (True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, SupportsFloat, runtime_checkable

__all__ = [
    "AsyncKeyValue",
    "SupportsCollections",
    "SupportsCull",
    "SupportsDestroy",
    "SupportsDestroyCollection",
    "SupportsKeys",
]


@runtime_checkable
class AsyncKeyValue(Protocol):
    """The eight operations every store offers.

    ``collection=None`` (or ``""``) means the store's default collection. Values are mappings
    that serialise to JSON; a read returns a fresh ``dict`` or ``None`` for a miss. A TTL is
    ``None`` (no expiry) or a finite number of seconds greater than zero.
    """

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        """Return the value stored under ``key``, or ``None``."""
        ...

    async def ttl(
        self, key: str, *, collection: str | None = None
    ) -> tuple[dict[str, Any] | None, float | None]:
        """Return the value and its remaining seconds; ``(None, None)`` on a miss."""
        ...

    async def put(
        self,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store ``value`` under ``key``, expiring after ``ttl`` seconds if given."""
        ...

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        """Delete ``key``; return whether something was deleted."""
        ...

    async def get_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[dict[str, Any] | None]:
        """Return the values of ``keys`` in order (duplicates allowed)."""
        ...

    async def ttl_many(
        self, keys: Sequence[str], *, collection: str | None = None
    ) -> list[tuple[dict[str, Any] | None, float | None]]:
        """Return ``(value, remaining ttl)`` for each of ``keys`` in order."""
        ...

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: SupportsFloat | None = None,
    ) -> None:
        """Store ``values[i]`` under ``keys[i]``, all with the same ``ttl``."""
        ...

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> int:
        """Delete ``keys``; return how many existed."""
        ...


@runtime_checkable
class SupportsKeys(Protocol):
    """A store that can list the keys of a collection."""

    async def keys(self, collection: str | None = None, *, limit: int | None = None) -> list[str]:
        """List the keys of ``collection`` (at most ``limit``)."""
        ...


@runtime_checkable
class SupportsCollections(Protocol):
    """A store that can list its collections."""

    async def collections(self, *, limit: int | None = None) -> list[str]:
        """List the collections that hold at least one entry (at most ``limit``)."""
        ...


@runtime_checkable
class SupportsDestroy(Protocol):
    """A store that can delete everything it holds."""

    async def destroy(self) -> bool:
        """Delete every entry of the store; return whether anything was deleted."""
        ...


@runtime_checkable
class SupportsDestroyCollection(Protocol):
    """A store that can delete one collection."""

    async def destroy_collection(self, collection: str) -> bool:
        """Delete every entry of ``collection``; return whether anything was deleted."""
        ...


@runtime_checkable
class SupportsCull(Protocol):
    """A store that can drop its expired entries on demand."""

    async def cull(self) -> None:
        """Remove expired entries now."""
        ...
