"""Fail-open: a store that is down reads as misses and drops writes; mistakes still raise."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from kvdeco import (
    FailOpenWrapper,
    InvalidKeyError,
    InvalidTTLError,
    MemoryStore,
    RedisStore,
    fail_open,
)
from kvdeco.testing import FlakyStore, StoreContract, decorated_both_ways
from tests.logged import captured, text
from tests.redis_server import free_port
from tests.security.canary import CANARY


class TestFailOpenContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(fail_open, MemoryStore)[request.param]


@pytest.fixture
async def refused() -> Any:
    """A fail-open RedisStore on a port where nothing listens: every call is refused."""
    store = FailOpenWrapper(RedisStore(f"redis://127.0.0.1:{free_port()}/0", namespace="failopen"))
    yield store
    await store.close()


async def test_over_a_refused_connection_reads_are_misses(refused: Any) -> None:
    assert await refused.get("k") is None
    assert await refused.ttl("k") == (None, None)
    assert await refused.get_many(["a", "b"]) == [None, None]
    assert await refused.ttl_many(["a", "b", "c"]) == [(None, None)] * 3


async def test_writes_and_deletes_are_dropped_and_counted(refused: Any) -> None:
    with captured("kvdeco.fail_open") as records:
        assert await refused.put("k", {"secret": CANARY}, ttl=60) is None
        assert await refused.put_many(["a"], [{"secret": CANARY}]) is None
        assert await refused.delete("k") is False
        assert await refused.delete_many(["a", "b"]) == 0
    absorbed = refused.fail_open
    assert absorbed.total == 4
    assert dict(absorbed.by_operation) == {"put": 1, "put_many": 1, "delete": 1, "delete_many": 1}
    assert set(absorbed.by_error) == {"StoreConnectionError"}
    assert len(records) == 4
    assert CANARY not in text(records)


async def test_bad_input_still_raises(refused: Any) -> None:
    with pytest.raises(InvalidTTLError):
        await refused.put("k", {"v": 1}, ttl=-5)
    with pytest.raises(ValueError):
        await refused.put("k", {"v": 1}, ttl=float("nan"))
    with pytest.raises(InvalidKeyError):
        await refused.get(42)
    assert refused.fail_open.total == 0


async def test_a_cancelled_caller_still_sees_cancelled_error() -> None:
    hanging = FlakyStore.failing(MemoryStore(), math.inf)
    store = fail_open(hanging)
    call = asyncio.ensure_future(store.get("k"))
    await asyncio.wait_for(hanging.wait_for_stall(), 5)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert hanging.cancelled == ["get"]
    assert store.fail_open.total == 0


async def test_errors_it_is_not_told_to_absorb_still_raise() -> None:
    def broken() -> FlakyStore:
        return FlakyStore.failing(MemoryStore(), RuntimeError("a bug, not an outage"))

    with pytest.raises(RuntimeError):
        await fail_open(broken()).get("k")
    absorbing = fail_open(absorb=(RuntimeError,))(broken())
    assert await absorbing.get("k") is None


async def test_listings_are_not_turned_into_empty_answers(refused: Any) -> None:
    with pytest.raises(ConnectionError):
        await refused.keys()
