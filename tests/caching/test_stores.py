"""``cached`` over every kind of store, through the production stack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from key_value.aio.stores.memory.store import MemoryStore as PyKeyValueMemoryStore

from kvdeco import DiskStore, MemoryStore, RedisStore, StatisticsWrapper, unwrap
from kvdeco.caching import cached
from kvdeco.cli.stack import production_stack


@pytest.fixture(params=["memory", "disk", "redis", "py-key-value"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The production stack (statistics, retry, timeout, compression, encryption) over a store."""
    if request.param == "memory":
        store: Any = MemoryStore()
    elif request.param == "disk":
        store = DiskStore(tmp_path / "cache.sqlite3")
    elif request.param == "redis":
        store = RedisStore(
            request.getfixturevalue("redis_url"),
            namespace=request.getfixturevalue("redis_namespace"),
        )
    else:
        store = PyKeyValueMemoryStore()
    top = production_stack(store, Fernet(Fernet.generate_key()))[0]
    try:
        yield top
    finally:
        inner = unwrap(top)
        if hasattr(inner, "destroy") and request.param != "py-key-value":
            await inner.destroy()
        if hasattr(inner, "close"):
            await inner.close()


async def test_results_are_cached_and_read_back_through_the_whole_stack(stack: Any) -> None:
    runs = 0

    @cached(stack, ttl=300, collection="reports")
    async def report(user_id: int, *, detail: bool = False) -> dict[str, Any]:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.005)
        return {"user": user_id, "detail": detail, "body": "word " * 400}

    first = await asyncio.gather(*[report(7) for _ in range(200)])
    assert runs == 1 and all(r == first[0] for r in first)
    await report.wait_pending()
    assert await report(7) == first[0]
    assert await report(7, detail=True) != first[0]
    await report.wait_pending()
    assert runs == 2
    # What the store holds went through compression and encryption: no clear text.
    raw = await unwrap(stack).get(report.key_for(7), collection="reports")
    assert raw is not None and "word" not in str(raw)
    statistics = stack.get_statistics("reports") if isinstance(stack, StatisticsWrapper) else None
    assert statistics is not None and statistics.get.hit >= 1
    assert report.statistics.hits == 1
    assert await report.invalidate(7) is True
    assert await report(7) == first[0]
    assert runs == 3
