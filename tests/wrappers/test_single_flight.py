"""SingleFlightWrapper: concurrent reads of one key share one call to the store."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import MemoryStore
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.single_flight import SingleFlight, SingleFlightWrapper, single_flight
from tests.wrappers.gated import GatedStore, interleave, settle


class TestSingleFlightKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(single_flight(), MemoryStore)[request.param]


class TestBareSingleFlightKeepsTheStoreContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(single_flight, MemoryStore)[request.param]


async def test_a_thousand_concurrent_gets_of_a_cold_key_reach_a_slow_store_once() -> None:
    inner = GatedStore(hold=False, delay=0.05)
    await inner.direct_put("k", {"v": [1]})
    store = SingleFlightWrapper(inner)
    results = await asyncio.gather(*(store.get("k") for _ in range(1000)))
    assert inner.reads == 1
    assert all(result == {"v": [1]} for result in results)
    assert len({id(result) for result in results}) == 1000  # each caller has its own copy


async def test_get_and_ttl_of_one_key_share_the_call() -> None:
    inner = GatedStore()
    await inner.direct_put("k", {"v": 1}, ttl=100)
    store = SingleFlightWrapper(inner)
    tasks = [asyncio.ensure_future(store.get("k")), asyncio.ensure_future(store.ttl("k"))]
    await settle()
    inner.release_all()
    value, (same, remaining) = await asyncio.gather(*tasks)
    assert inner.reads == 1
    assert value == same == {"v": 1} and remaining == pytest.approx(100, abs=2)


async def test_different_keys_and_collections_do_not_share() -> None:
    inner = GatedStore(hold=False)
    store = SingleFlightWrapper(inner)
    await asyncio.gather(store.get("a"), store.get("b"), store.get("a", collection="other"))
    assert inner.reads == 3


async def test_a_read_that_starts_after_a_write_began_does_not_get_the_old_value() -> None:
    inner = GatedStore()
    await inner.direct_put("k", {"v": "old"})
    store = SingleFlightWrapper(inner)
    before = asyncio.ensure_future(store.get("k"))
    await settle()
    await store.put("k", {"v": "new"})
    after = asyncio.ensure_future(store.get("k"))
    await settle()
    inner.release_all()
    assert await before == {"v": "old"}  # it looked before the write
    assert await after == {"v": "new"}
    assert inner.reads == 2


async def test_a_failing_read_hands_its_error_to_every_caller() -> None:
    inner = GatedStore()
    store = SingleFlightWrapper(inner)
    tasks = [asyncio.ensure_future(store.get("k")) for _ in range(5)]
    await settle()
    inner.failure = ConnectionError("down")
    inner.release_all()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    assert inner.reads == 1
    inner.failure = None
    assert await store.get("k") is None  # the failure is not remembered


async def test_a_cancelled_leader_does_not_strand_its_followers() -> None:
    inner = GatedStore()
    await inner.direct_put("k", {"v": 1})
    store = SingleFlightWrapper(inner)
    leader = asyncio.ensure_future(store.get("k"))
    await settle()
    followers = [asyncio.ensure_future(store.get("k")) for _ in range(3)]
    await settle()
    leader.cancel()
    await settle()
    inner.release_all()
    assert await asyncio.gather(*followers) == [{"v": 1}] * 3
    assert leader.cancelled()
    assert inner.reads == 2  # the leader's read stopped with it; one follower read again


async def test_a_cancelled_follower_does_not_cancel_the_others() -> None:
    inner = GatedStore()
    await inner.direct_put("k", {"v": 1})
    store = SingleFlightWrapper(inner)
    tasks = [asyncio.ensure_future(store.get("k")) for _ in range(3)]
    await settle()
    tasks[1].cancel()
    await settle()
    inner.release_all()
    assert await tasks[0] == await tasks[2] == {"v": 1}
    assert tasks[1].cancelled()


async def test_the_read_is_cancelled_when_every_caller_has_gone() -> None:
    inner = GatedStore()
    store = SingleFlightWrapper(inner)
    tasks = [asyncio.ensure_future(store.get("k")) for _ in range(2)]
    await settle()
    for task in tasks:
        task.cancel()
    await settle()
    inner.hold = False
    assert await asyncio.wait_for(store.get("k"), 5) is None  # a new read, not the dead one
    assert inner.reads == 2


async def test_bulk_reads_join_flights_and_ask_for_the_rest_in_one_call() -> None:
    inner = GatedStore()
    await inner.direct_put("a", {"n": 1})
    await inner.direct_put("c", {"n": 3})
    recording = RecordingStore(inner)
    store = SingleFlightWrapper(recording)
    single = asyncio.ensure_future(store.get("a"))
    await settle()
    bulk = asyncio.ensure_future(store.get_many(["a", "b", "c", "a"]))
    await settle()
    inner.release_all()
    assert await single == {"n": 1}
    first, b, c, second = await bulk
    assert [first, b, c, second] == [{"n": 1}, None, {"n": 3}, {"n": 1}]
    assert first is not second
    assert [c.keys for c in recording.log if c.operation == "ttl_many"] == [("b", "c")]
    assert inner.reads == 2


async def test_ttl_many_returns_remaining_ttls() -> None:
    store = single_flight(MemoryStore())
    await store.put("a", {"n": 1}, ttl=50)
    ((value, remaining), (absent, none)) = await store.ttl_many(["a", "b"])
    assert value == {"n": 1} and remaining == pytest.approx(50, abs=2)
    assert absent is None and none is None


def test_the_aspect_has_no_options_and_a_readable_repr() -> None:
    assert repr(SingleFlight()) == "single_flight()"
    assert SingleFlight() == SingleFlight()


@settings(max_examples=100, deadline=None)
@given(
    steps=st.lists(
        st.sampled_from(["read", "read_many", "release", "put", "delete"]), min_size=1, max_size=14
    )
)
def test_no_interleaving_hands_a_read_the_value_from_before_a_finished_write(
    steps: list[str],
) -> None:
    backend = GatedStore()
    asyncio.run(interleave(SingleFlightWrapper(backend), backend, steps))
