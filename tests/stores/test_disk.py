"""DiskStore keeps the store contract, persists across processes and is safe to share."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kvdeco.errors import (
    DeserializationError,
    InvalidKeyError,
    KeyValueStoreError,
    SerializationError,
    StoreSetupError,
)
from kvdeco.protocols import (
    SupportsCollections,
    SupportsCull,
    SupportsDestroy,
    SupportsDestroyCollection,
    SupportsKeys,
)
from kvdeco.stores.disk import DiskStore
from kvdeco.testing import StoreContract
from tests.stores._stack import wrapper_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def disk_store(tmp_path: Path) -> AsyncIterator[DiskStore]:
    store = DiskStore(tmp_path / "store.db")
    yield store
    await store.close()


class TestDiskStoreContract(StoreContract):
    @pytest.fixture
    def store(self, disk_store: DiskStore) -> DiskStore:
        return disk_store


class TestWrappedDiskStoreContract(StoreContract):
    @pytest.fixture
    def store(self, disk_store: DiskStore) -> Any:
        return wrapper_stack(disk_store)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


_WRITER = """
import asyncio, sys
from kvdeco.stores.disk import DiskStore

async def main(path, tag, count):
    async with DiskStore(path) as store:
        for i in range(count):
            await store.put(f"{tag}-{i}", {"tag": tag, "i": i}, collection="shared")

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _finish(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


async def test_data_outlives_the_process_that_wrote_it(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    _finish(_python(_WRITER, path, "first", "3"))
    async with DiskStore(path) as store:
        assert await store.get_many(["first-0", "first-2"], collection="shared") == [
            {"tag": "first", "i": 0},
            {"tag": "first", "i": 2},
        ]


async def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    writers = [_python(_WRITER, path, tag, "500") for tag in ("a", "b")]
    for writer in writers:
        _finish(writer)
    async with DiskStore(path) as store:
        keys = await store.keys("shared")
        assert sorted(keys) == sorted(f"{tag}-{i}" for tag in ("a", "b") for i in range(500))


async def test_a_bulk_read_larger_than_one_query_keeps_order(disk_store: DiskStore) -> None:
    keys = [f"k{i}" for i in range(1200)]
    await disk_store.put_many(keys, [{"i": i} for i in range(1200)])
    found = await disk_store.get_many([*reversed(keys), "missing"])
    assert found == [{"i": i} for i in reversed(range(1200))] + [None]
    assert await disk_store.delete_many([*keys, *keys]) == 1200


async def test_text_sqlite_cannot_hold_is_refused_with_kvdeco_errors(
    disk_store: DiskStore,
) -> None:
    with pytest.raises(SerializationError):
        await disk_store.put("k", {"v": "\udc00"})
    with pytest.raises(InvalidKeyError):
        await disk_store.get_many(["ok", "\ud800"])
    assert await disk_store.get("k") is None


async def test_the_file_is_in_wal_mode(disk_store: DiskStore) -> None:
    await disk_store.put("k", {"v": 1})
    with sqlite3.connect(disk_store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_work_runs_off_the_event_loop_thread(disk_store: DiskStore) -> None:
    seen: list[str] = []
    loop_thread = threading.current_thread().name
    await disk_store._run(lambda c: seen.append(threading.current_thread().name), "test", None)
    assert seen and seen[0] != loop_thread


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_expired_rows_are_kept_out_of_listings_and_culled(tmp_path: Path) -> None:
    clock = FakeClock()
    async with DiskStore(tmp_path / "x.db", clock=clock) as store:
        await store.put("old", {"v": 1}, collection="gone", ttl=10)
        await store.put("kept", {"v": 1}, collection="here")
        clock.now += 4
        assert await store.ttl("old", collection="gone") == ({"v": 1}, pytest.approx(6))
        clock.now += 6
        assert await store.collections() == ["here"]
        assert await store.keys("gone") == []
        assert await store.delete("old", collection="gone") is False
        await store.put("old2", {"v": 1}, collection="gone", ttl=1)
        clock.now += 1
        await store.cull()
        rows = await store._run(
            lambda c: c.execute("SELECT count(*) FROM kvdeco_entries").fetchone(), "count", None
        )
        assert rows == (1,)


async def test_a_put_replaces_an_expired_entry(tmp_path: Path) -> None:
    clock = FakeClock()
    async with DiskStore(tmp_path / "x.db", clock=clock) as store:
        await store.put("k", {"v": 1}, ttl=1)
        clock.now += 2
        await store.put("k", {"v": 2})
        assert await store.ttl("k") == ({"v": 2}, None)


async def test_destroy_reports_whether_anything_was_there(disk_store: DiskStore) -> None:
    assert await disk_store.destroy() is False
    await disk_store.put("a", {}, collection="x")
    assert await disk_store.destroy() is True
    assert await disk_store.collections() == []


async def test_corrupt_data_is_a_deserialization_error(disk_store: DiskStore) -> None:
    await disk_store.put("k", {"v": 1})
    await disk_store._run(
        lambda c: c.execute("UPDATE kvdeco_entries SET value = 'nope'"), "x", None
    )
    with pytest.raises(DeserializationError, match="operation=get,"):
        await disk_store.get("k")
    with pytest.raises(DeserializationError, match="operation=ttl,"):
        await disk_store.ttl("k")


async def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "x.db")
    await store.put("k", {"v": 1})
    await store.close()
    await store.close()
    with pytest.raises(KeyValueStoreError, match=r"operation=get\b"):
        await store.get("k")


async def test_an_unusable_path_is_a_setup_error(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "no" / "such" / "dir.db")
    with pytest.raises(StoreSetupError):
        await store.get("k")
    await store.close()


def _writing(path: Path) -> sqlite3.Connection:
    """Another connection in the middle of a write transaction on a fresh database."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE other (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO other VALUES (1)")
    return other


async def test_opening_waits_for_a_writer_of_another_connection(tmp_path: Path) -> None:
    # SQLite refuses the switch to WAL at once while another connection writes: the store
    # must wait for it (up to its timeout), not fail its first call.
    other = _writing(tmp_path / "busy.db")
    release = threading.Timer(0.2, lambda: other.execute("COMMIT"))
    release.start()
    try:
        async with DiskStore(tmp_path / "busy.db") as store:
            await store.put("k", {"v": 1})
            assert await store.get("k") == {"v": 1}
    finally:
        release.join()
        other.close()


async def test_opening_gives_up_after_its_timeout(tmp_path: Path) -> None:
    other = _writing(tmp_path / "busy.db")
    try:
        store = DiskStore(tmp_path / "busy.db", timeout=0)
        with pytest.raises(StoreSetupError, match="locked"):
            await store.get("k")
        await store.close()
    finally:
        other.close()


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"path": 3}, TypeError),
        ({"path": "x", "timeout": -1}, ValueError),
        ({"path": "x", "timeout": float("nan")}, ValueError),
        ({"path": "x", "timeout": float("inf")}, ValueError),
        ({"path": "x", "timeout": True}, TypeError),
        ({"path": "x", "timeout": "1"}, TypeError),
        ({"path": "x", "clock": 3}, TypeError),
    ],
)
def test_invalid_options_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        DiskStore(**options)


def test_has_every_capability(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "x.db")
    for capability in (
        SupportsKeys,
        SupportsCollections,
        SupportsDestroy,
        SupportsDestroyCollection,
        SupportsCull,
    ):
        assert isinstance(store, capability)


def test_passes_py_key_value_isinstance_check(tmp_path: Path) -> None:
    from key_value.aio.protocols.key_value import AsyncKeyValue

    assert isinstance(DiskStore(tmp_path / "x.db"), AsyncKeyValue)


@pytest.mark.parametrize("limit", ["5", 2.5, True])
async def test_a_listing_limit_that_is_not_an_int_is_refused_by_name(
    disk_store: DiskStore, limit: object
) -> None:
    await disk_store.put("k", {"v": 1})
    with pytest.raises(TypeError, match="limit"):
        await disk_store.keys(limit=limit)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit"):
        await disk_store.collections(limit=limit)  # type: ignore[arg-type]
