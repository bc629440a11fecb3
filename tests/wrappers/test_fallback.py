"""FallbackWrapper: reads survive a failing primary; writes stay on the primary unless asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kvdeco import MemoryStore
from kvdeco.errors import ReadOnlyError
from kvdeco.testing import FlakyStore, RecordingStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.fallback import FallbackWrapper, with_fallback


class TestFallbackKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(with_fallback(MemoryStore()), MemoryStore)[request.param]


def down(error: BaseException | None = None) -> FlakyStore:
    """A primary whose every call fails (with ``ConnectionError("down")`` by default)."""
    return FlakyStore.failing(MemoryStore(), ConnectionError("down") if error is None else error)


@pytest.fixture
async def backup() -> MemoryStore:
    store = MemoryStore()
    await store.put("k", {"from": "backup"}, collection="c", ttl=100)
    await store.put("j", {"from": "backup"}, collection="c")
    return store


async def test_reads_come_from_the_fallback_when_the_primary_fails(backup: MemoryStore) -> None:
    store = FallbackWrapper(primary=down(), fallback=backup)
    assert await store.get("k", collection="c") == {"from": "backup"}
    value, remaining = await store.ttl("k", collection="c")
    assert value == {"from": "backup"} and remaining is not None
    assert await store.get_many(["k", "x"], collection="c") == [{"from": "backup"}, None]
    assert [v for v, _ in await store.ttl_many(["j"], collection="c")] == [{"from": "backup"}]


async def test_reads_come_from_the_primary_when_it_works(backup: MemoryStore) -> None:
    primary = MemoryStore()
    await primary.put("k", {"from": "primary"}, collection="c")
    store = FallbackWrapper(primary=primary, fallback=backup)
    assert await store.get("k", collection="c") == {"from": "primary"}
    assert await store.get("j", collection="c") is None  # a miss is not a failure


async def test_writes_go_to_the_primary_only_by_default() -> None:
    fallback = RecordingStore(MemoryStore())
    store = FallbackWrapper(primary=down(), fallback=fallback)
    with pytest.raises(ConnectionError):
        await store.put("k", {"v": 1})
    with pytest.raises(ConnectionError):
        await store.delete_many(["k"])
    assert fallback.log == []
    working = FallbackWrapper(primary=MemoryStore(), fallback=fallback)
    await working.put("k", {"v": 1})
    assert fallback.log == []


async def test_failed_writes_go_to_the_fallback_when_asked() -> None:
    fallback = RecordingStore(MemoryStore())
    store = FallbackWrapper(primary=down(), fallback=fallback, write_to_fallback=True)
    await store.put("k", {"v": 1})
    await store.put_many(["a"], [{"v": 2}], ttl=5)
    assert await store.delete("a") is True
    assert fallback.operations == ["put", "put_many", "delete"]
    assert await fallback.get("k") == {"v": 1}


async def test_only_the_listed_errors_trigger_the_fallback(backup: MemoryStore) -> None:
    store = FallbackWrapper(
        primary=down(ReadOnlyError("no", operation="get")),
        fallback=backup,
        fallback_on=(ConnectionError,),
    )
    with pytest.raises(ReadOnlyError):
        await store.get("k", collection="c")


@pytest.mark.parametrize("error", [asyncio.CancelledError(), KeyboardInterrupt()])
async def test_never_swallows_cancellation_or_interrupts(error: BaseException) -> None:
    fallback = RecordingStore(MemoryStore())
    store = FallbackWrapper(primary=down(error), fallback=fallback, fallback_on=(BaseException,))
    with pytest.raises(type(error)):
        await store.get("k")
    assert fallback.log == []


async def test_the_proxy_wraps_the_primary() -> None:
    class Primary(MemoryStore):
        region = "eu"

    store = FallbackWrapper(primary=Primary(), fallback=MemoryStore())
    assert isinstance(store, Primary)
    assert store.region == "eu"


async def test_py_key_value_spelling_is_accepted(backup: MemoryStore) -> None:
    store = FallbackWrapper(primary_key_value=down(), fallback_key_value=backup)
    assert await store.get("k", collection="c") == {"from": "backup"}


async def test_the_decorator_applies_to_the_primary(backup: MemoryStore) -> None:
    store = with_fallback(backup)(down())
    assert isinstance(store, FallbackWrapper)
    assert await store.get("j", collection="c") == {"from": "backup"}


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"primary": MemoryStore()}, TypeError),
        ({"fallback": MemoryStore()}, TypeError),
        ({"primary": MemoryStore(), "primary_key_value": MemoryStore()}, TypeError),
        ({"primary": MemoryStore(), "fallback": "redis://"}, TypeError),
        ({"primary": MemoryStore(), "fallback": MemoryStore(), "fallback_on": ()}, TypeError),
        ({"primary": MemoryStore(), "fallback": MemoryStore(), "fallback_on": [int]}, TypeError),
        ({"primary": MemoryStore(), "fallback": MemoryStore(), "write_to_fallback": 1}, TypeError),
    ],
)
def test_invalid_arguments_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        FallbackWrapper(**options)


class Closing(MemoryStore):
    """Counts how often it is closed."""

    closed = 0

    async def close(self) -> None:
        self.closed += 1


async def test_closing_the_wrapper_closes_both_stores() -> None:
    primary, backup = Closing(), Closing()
    await FallbackWrapper(primary, backup).close()
    assert (primary.closed, backup.closed) == (1, 1)
    async with FallbackWrapper(primary, backup) as store:
        await store.get("k")
    assert (primary.closed, backup.closed) == (2, 2)
    async with with_fallback(backup)(primary):
        pass
    assert (primary.closed, backup.closed) == (3, 3)
