"""DiskStore reads never wait behind a write, and every sqlite3 error is a kvdeco error."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from kvdeco.errors import (
    KeyValueStoreError,
    StoreConnectionError,
    StoreTimeoutError,
)
from kvdeco.stores.disk import DiskStore, _failure
from tests.security.canary import CANARY, rendered

# Another process: take the write lock, say so, hold it until told to let go.
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT OR REPLACE INTO kvdeco_entries VALUES ('c', 'other', '{}', NULL)")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


async def test_a_read_does_not_wait_behind_a_write_blocked_by_another_process(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.db"
    async with DiskStore(path, timeout=20) as store:
        await store.put("k", {"v": 1}, collection="c")
        holder = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            HOLDER,
            str(path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"holding\n"
            blocked = asyncio.create_task(store.put("k2", {"v": 2}, collection="c"))
            await asyncio.sleep(0.2)  # the write is now waiting for the other process
            started = time.monotonic()
            assert await store.get("k", collection="c") == {"v": 1}
            assert await store.get_many(["k", "other"], collection="c") == [{"v": 1}, None]
            assert await store.keys("c") == ["k"]
            read_time = time.monotonic() - started
            assert not blocked.done()  # the reads finished while the write still waited
            print(f"three reads behind a blocked write: {read_time * 1000:.1f} ms")
        finally:
            holder.stdin.write(b"\n")
            await holder.stdin.drain()
            await asyncio.wait_for(holder.wait(), 30)
        await asyncio.wait_for(blocked, timeout=30)
        assert await store.get("k2", collection="c") == {"v": 2}
        assert await store.get("other", collection="c") == {}


async def test_reads_see_writes_of_this_process_at_once(tmp_path: Path) -> None:
    async with DiskStore(tmp_path / "x.db") as store:
        for i in range(50):
            await store.put("k", {"i": i})
            assert await store.get("k") == {"i": i}


async def test_a_store_first_used_by_a_read_sets_the_file_up(tmp_path: Path) -> None:
    async with DiskStore(tmp_path / "fresh.db") as store:
        assert await store.get("k") is None
        assert await store.collections() == []


def _sqlite_errors() -> list[type[BaseException]]:
    return [
        kind
        for kind in vars(sqlite3).values()
        if inspect.isclass(kind) and issubclass(kind, Exception)
    ]


@pytest.mark.parametrize("kind", _sqlite_errors(), ids=lambda kind: kind.__name__)
def test_every_sqlite_error_becomes_a_kvdeco_error(kind: type[Exception]) -> None:
    assert isinstance(_failure(kind("something failed"), "get", None), KeyValueStoreError)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (5, StoreTimeoutError),
        (517, StoreTimeoutError),
        (6, StoreTimeoutError),
        (14, StoreConnectionError),
        (266, StoreConnectionError),
        (11, KeyValueStoreError),
    ],
)
def test_the_result_code_chooses_the_error(code: int, expected: type) -> None:
    error = sqlite3.OperationalError("failed")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert type(_failure(error, "put", "c")) is expected


async def test_a_file_that_is_not_a_database_quotes_no_value(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    store = DiskStore(path, timeout=0.1)
    with pytest.raises(KeyValueStoreError) as caught:
        await store.put("k", {"secret": CANARY})
    await store.close()
    assert CANARY not in rendered(caught.value)
