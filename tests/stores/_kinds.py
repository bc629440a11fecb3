"""One store of each kind kvdeco ships, for tests that must hold on every one of them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from kvdeco.stores.disk import DiskStore
from kvdeco.stores.memory import MemoryStore
from kvdeco.stores.redis import RedisStore

STORE_KINDS = ("memory", "disk", "redis")


@asynccontextmanager
async def cleaned_up(store: RedisStore) -> AsyncIterator[RedisStore]:
    """``store``, whose namespace is emptied and whose client is closed afterwards."""
    try:
        yield store
    finally:
        await store.destroy()
        await store.close()


@asynccontextmanager
async def store_of_kind(kind: str, request: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """A fresh store of ``kind``; the Redis one on the shared server, in its own namespace."""
    if kind == "memory":
        yield MemoryStore()
    elif kind == "disk":
        async with DiskStore(tmp_path / f"{kind}.db") as disk:
            yield disk
    else:
        url = request.getfixturevalue("redis_url")  # skips when there is no server
        async with cleaned_up(RedisStore(url, namespace=f"t{uuid.uuid4().hex}")) as redis_store:
            yield redis_store
