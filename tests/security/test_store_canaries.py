"""No store's error, message or exception chain shows a value it was given.

Each store is driven into its error paths with a canary inside the value: a value that is not
JSON, a backend that cannot be reached, a backend that refuses the write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kvdeco.errors import BaseKeyValueError
from kvdeco.stores.disk import DiskStore
from kvdeco.stores.redis import RedisStore
from tests.redis_server import RedisProcess, free_port, require_redis_server
from tests.security.canary import CANARY, rendered
from tests.stores._kinds import STORE_KINDS, store_of_kind

NOT_JSON = {"password": CANARY, "when": {CANARY}}  # a set: not JSON
SECRET = {"password": CANARY}


@pytest.fixture(params=STORE_KINDS)
async def store(request: Any, tmp_path: Path) -> AsyncIterator[Any]:
    async with store_of_kind(request.param, request, tmp_path) as each:
        yield each


def _secret_writes(store: Any) -> list[Any]:
    """A put and two bulk puts (with and without a TTL) of the secret, not yet awaited."""
    return [
        store.put("k", SECRET, ttl=60),
        store.put_many(["a", "b"], [SECRET, SECRET], ttl=60),
        store.put_many(["a", "b"], [SECRET, SECRET]),
    ]


async def _assert_each_refused_cleanly(writes: list[Any]) -> None:
    for write in writes:
        with pytest.raises(BaseKeyValueError) as caught:
            await write
        _assert_clean(caught.value)


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
        await _assert_each_refused_cleanly(_secret_writes(store))
        await store.close()


async def test_a_redis_that_refuses_writes_does_not_show_the_value(tmp_path: Path) -> None:
    require_redis_server()
    with RedisProcess(tmp_path) as server:
        store = RedisStore(server.url, namespace="canary")
        try:
            await store.client.config_set("maxmemory", "1")
            await _assert_each_refused_cleanly(_secret_writes(store))
        finally:
            await store.close()


async def test_a_locked_disk_store_does_not_show_the_value(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "locked.db"
    async with DiskStore(path, timeout=0.05) as store:
        await store.put("k", {"v": 1})
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await _assert_each_refused_cleanly(_secret_writes(store))
        finally:
            other.execute("ROLLBACK")
            other.close()
