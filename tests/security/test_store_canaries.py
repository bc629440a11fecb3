"""No store's error, message or exception chain shows a value it was given.

Each store is driven into its error paths with a canary inside the value: a value that is not
JSON, a backend that cannot be reached, a backend that refuses the write.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kvdeco.errors import BaseKeyValueError
from kvdeco.stores.disk import DiskStore
from kvdeco.stores.memory import MemoryStore
from kvdeco.stores.redis import RedisStore
from tests.faults.redis_process import RedisProcess, free_port, require_redis_server
from tests.security.canary import CANARY, rendered

NOT_JSON = {"password": CANARY, "when": {CANARY}}  # a set: not JSON
SECRET = {"password": CANARY}


@pytest.fixture(params=["memory", "disk", "redis"])
async def store(request: Any, tmp_path: Path) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "disk":
        async with DiskStore(tmp_path / "canary.db") as disk:
            yield disk
    else:
        url = request.getfixturevalue("redis_url")
        redis_store = RedisStore(url, namespace=f"t{uuid.uuid4().hex}")
        try:
            yield redis_store
        finally:
            await redis_store.destroy()
            await redis_store.close()


def _assert_clean(error: BaseException) -> None:
    assert isinstance(error, BaseKeyValueError)
    assert CANARY not in rendered(error)
    chained = [error.__cause__, error.__context__]
    assert all(link is None or CANARY not in rendered(link) for link in chained)


async def test_a_value_that_is_not_json_is_refused_without_showing_it(store: Any) -> None:
    with pytest.raises(BaseKeyValueError) as one:
        await store.put("k", NOT_JSON, ttl=60)
    _assert_clean(one.value)
    with pytest.raises(BaseKeyValueError) as many:
        await store.put_many(["a", "b"], [SECRET, NOT_JSON], ttl=60)
    _assert_clean(many.value)
    assert await store.get_many(["a", "b"]) == [None, None]


async def test_an_unreachable_redis_does_not_show_the_value() -> None:
    for store in (
        RedisStore(f"redis://127.0.0.1:{free_port()}"),
        RedisStore(f"redis://127.0.0.1:{free_port()}", cluster=True),
    ):
        for write in (
            store.put("k", SECRET, ttl=60),
            store.put_many(["a", "b"], [SECRET, SECRET], ttl=60),
            store.put_many(["a", "b"], [SECRET, SECRET]),
        ):
            with pytest.raises(BaseKeyValueError) as caught:
                await write
            _assert_clean(caught.value)
        await store.close()


async def test_a_redis_that_refuses_writes_does_not_show_the_value(tmp_path: Path) -> None:
    require_redis_server()
    server = RedisProcess(tmp_path)
    server.start()
    store = RedisStore(server.url, namespace="canary")
    try:
        await store.client.config_set("maxmemory", "1")
        for write in (
            store.put("k", SECRET, ttl=60),
            store.put_many(["a", "b"], [SECRET, SECRET], ttl=60),
            store.put_many(["a", "b"], [SECRET, SECRET]),
        ):
            with pytest.raises(BaseKeyValueError) as caught:
                await write
            _assert_clean(caught.value)
    finally:
        await store.close()
        server.stop()


async def test_a_locked_disk_store_does_not_show_the_value(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "locked.db"
    async with DiskStore(path, timeout=0.05) as store:
        await store.put("k", {"v": 1})
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            for write in (
                store.put("k", SECRET, ttl=60),
                store.put_many(["a", "b"], [SECRET, SECRET], ttl=60),
            ):
                with pytest.raises(BaseKeyValueError) as caught:
                    await write
                _assert_clean(caught.value)
        finally:
            other.execute("ROLLBACK")
            other.close()
