"""The bulkhead: never more than ``max_concurrent`` calls in flight, and no slot ever leaked."""

from __future__ import annotations

import asyncio
import inspect
import random
from typing import Any

import pytest

from kvdeco import BulkheadFullError, ConcurrencyLimitWrapper, MemoryStore, limit_concurrency
from kvdeco.testing import StoreContract, decorated_both_ways


class TestConcurrencyLimitContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(limit_concurrency(3), MemoryStore)[request.param]


class InFlightStore(MemoryStore):
    """Records how many calls are inside it at once, and the most there ever were."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.inside = 0
        self.most = 0

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self.inside += 1
        self.most = max(self.most, self.inside)
        try:
            await asyncio.sleep(self.delay if self.delay else random.random() / 1000)
            return await super().get(key, collection=collection)
        finally:
            self.inside -= 1

    async def get_many(self, keys: Any, *, collection: str | None = None) -> Any:
        return [await self.get(key, collection=collection) for key in keys]


@pytest.mark.parametrize("path", ["class", "instance"])
async def test_never_more_than_max_concurrent_calls_reach_the_store(path: str) -> None:
    store = decorated_both_ways(limit_concurrency(7), InFlightStore)[path]
    await asyncio.gather(*[store.get(f"k{n}") for n in range(500)])
    inner = store if path == "class" else store.__wrapped__
    assert inner.most == 7
    assert store.concurrency.in_flight == 0


async def test_a_bulk_call_takes_one_slot() -> None:
    inner = InFlightStore()
    store = ConcurrencyLimitWrapper(inner, 2)
    await asyncio.gather(*[store.get_many(["a", "b", "c"]) for _ in range(20)])
    assert inner.most == 2


async def test_ten_thousand_tasks_with_random_cancellations_leave_every_slot_free() -> None:
    rng = random.Random(5)
    inner = InFlightStore()
    store = ConcurrencyLimitWrapper(inner, 10, timeout=5.0)
    tasks = [asyncio.ensure_future(store.get(f"k{n}")) for n in range(10_000)]
    for _ in range(300):
        await asyncio.sleep(0)
        for task in rng.sample(tasks, 15):
            task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    cancelled = sum(isinstance(o, asyncio.CancelledError) for o in outcomes)
    assert 0 < cancelled < 10_000
    assert all(o is None or isinstance(o, asyncio.CancelledError) for o in outcomes)
    assert (store.concurrency.in_flight, store.concurrency.waiting) == (0, 0)
    assert inner.most <= 10 and inner.inside == 0
    # Every slot is still usable: ten calls run at once again.
    inner.most = 0
    await asyncio.gather(*[store.get("k") for _ in range(50)])
    assert inner.most == 10


async def test_a_caller_that_waits_too_long_gets_bulkhead_full_error() -> None:
    store = ConcurrencyLimitWrapper(InFlightStore(delay=0.5), 1, timeout=0.05)
    first = asyncio.ensure_future(store.get("a"))
    await asyncio.sleep(0.01)
    with pytest.raises(BulkheadFullError, match="all 1 slots stayed busy"):
        await store.get("b")
    assert store.concurrency.rejected == 1
    assert await first is None
    assert store.concurrency.in_flight == 0


async def test_waiters_are_served_in_arrival_order() -> None:
    order: list[int] = []
    gate = asyncio.Event()

    class Ordered(MemoryStore):
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            await gate.wait()
            order.append(int(key))
            return None

    store = ConcurrencyLimitWrapper(Ordered(), 1)
    tasks = [asyncio.ensure_future(store.get(str(n))) for n in range(20)]
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*tasks)
    assert order == list(range(20))


@pytest.mark.parametrize(
    ("args", "error"), [((0,), ValueError), ((True,), TypeError), ((2.5,), TypeError)]
)
def test_bad_limits_are_refused(args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error, match="max_concurrent"):
        limit_concurrency(*args)


def test_both_paths_expose_their_own_slots_as_an_attribute_of_the_class() -> None:
    limited = limit_concurrency(2)(MemoryStore)
    stores = [limited(), limited(), ConcurrencyLimitWrapper(MemoryStore(), 2)]
    slots = [store.concurrency for store in stores]
    assert [s.max_concurrent for s in slots] == [2, 2, 2]
    assert len({id(s) for s in slots}) == 3
    # A class attribute: a subclass can override it and reach this one with super().
    for cls in (limited, ConcurrencyLimitWrapper):
        assert isinstance(inspect.getattr_static(cls, "concurrency"), property)
