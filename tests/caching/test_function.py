"""``cached``: what a cached function returns, when it runs, what it stores and what it absorbs."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from kvdeco import MemoryStore, StoreConnectionError
from kvdeco.caching import cached
from kvdeco.testing import FlakyStore, ManualClock
from tests.logged import captured, text


class Counter:
    """An async function that counts its runs and can be held at a gate."""

    def __init__(self, result: Any = "unset") -> None:
        self.runs = 0
        self.result = result
        self.gate: asyncio.Event | None = None

    async def __call__(self, item: int) -> Any:
        self.runs += 1
        if self.gate is not None:
            await self.gate.wait()
        return {"item": item, "run": self.runs} if self.result == "unset" else self.result


def make(store: Any, counter: Counter, **options: Any) -> Any:
    async def load(item: int) -> Any:
        """Load one item."""
        return await counter(item)

    return cached(store, **options)(load)


async def test_a_thousand_concurrent_calls_with_the_same_arguments_run_the_function_once() -> None:
    counter, store = Counter(), MemoryStore()
    load = make(store, counter)
    counter.gate = asyncio.Event()
    calls = [asyncio.ensure_future(load(1)) for _ in range(1000)]
    await asyncio.sleep(0)
    counter.gate.set()
    results = await asyncio.gather(*calls)
    assert counter.runs == 1
    assert results == [{"item": 1, "run": 1}] * 1000
    # Each caller has its own copy: changing one changes no other.
    results[0]["item"] = "changed"
    assert results[1] == {"item": 1, "run": 1}
    assert load.statistics.misses == 1 and load.statistics.joined == 999


async def test_different_arguments_get_different_entries_and_a_later_call_is_a_hit() -> None:
    counter, store = Counter(), MemoryStore()
    load = make(store, counter)
    assert await load(1) == {"item": 1, "run": 1}
    assert await load(2) == {"item": 2, "run": 2}
    await load.wait_pending()
    assert sorted(await store.keys()) == sorted([load.key_for(1), load.key_for(2)])
    assert await load(1) == {"item": 1, "run": 1}
    assert counter.runs == 2
    assert load.statistics.hits == 1
    assert load.statistics.hit_rate == pytest.approx(1 / 3)


async def test_a_result_expires_with_its_ttl() -> None:
    clock = ManualClock()
    counter, store = Counter(), MemoryStore(clock=clock)
    load = make(store, counter, ttl=10)
    await load(1)
    await load.wait_pending()
    clock.advance(9)
    assert (await load(1))["run"] == 1
    clock.advance(2)
    assert (await load(1))["run"] == 2


async def test_a_stale_result_is_served_while_one_call_recomputes_it() -> None:
    clock = ManualClock()
    counter, store = Counter(), MemoryStore(clock=clock)
    load = make(store, counter, ttl=10, stale_ttl=50, clock=clock)
    await load(1)
    await load.wait_pending()
    clock.advance(20)  # stale, not gone
    counter.gate = asyncio.Event()
    stale = await asyncio.gather(*[load(1) for _ in range(20)])
    assert stale == [{"item": 1, "run": 1}] * 20
    assert counter.runs == 2, "exactly one recomputation runs"
    counter.gate.set()
    await load.wait_pending()
    assert await load(1) == {"item": 1, "run": 2}
    assert (load.statistics.stale_hits, load.statistics.joined) == (1, 19)
    clock.advance(100)  # past ttl + stale_ttl: the entry is gone
    counter.gate = None
    assert await load(1) == {"item": 1, "run": 3}


async def test_a_failed_recomputation_is_counted_and_the_stale_result_kept() -> None:
    clock = ManualClock()
    store = MemoryStore(clock=clock)
    runs = 0

    async def flaky(item: int) -> dict[str, int]:
        nonlocal runs
        runs += 1
        if runs > 1:
            raise RuntimeError("backend down")
        return {"item": item}

    load = cached(store, ttl=10, stale_ttl=50, clock=clock)(flaky)
    await load(1)
    await load.wait_pending()
    clock.advance(20)
    assert await load(1) == {"item": 1}
    await load.wait_pending()
    assert load.statistics.refresh_errors == 1
    assert await load(1) == {"item": 1}


async def test_none_is_cached_only_with_a_negative_ttl() -> None:
    counter, store = Counter(result=None), MemoryStore()
    plain = make(store, counter)
    await plain(1)
    await plain.wait_pending()
    await plain(1)
    assert counter.runs == 2
    counter2 = Counter(result=None)
    negative = make(MemoryStore(), counter2, negative_ttl=60)
    for _ in range(100):
        assert await negative(1) is None
        await negative.wait_pending()
    assert counter2.runs == 1


async def test_condition_decides_which_results_are_stored() -> None:
    counter, store = Counter(), MemoryStore()
    load = make(store, counter, condition=lambda result: result["item"] > 1)
    await load(1)
    await load(2)
    await load.wait_pending()
    assert await store.keys() == [load.key_for(2)]


async def test_an_exception_is_not_cached_and_reaches_every_joined_caller() -> None:
    store = MemoryStore()
    gate = asyncio.Event()
    runs = 0

    async def failing(item: int) -> dict[str, int]:
        nonlocal runs
        runs += 1
        await gate.wait()
        raise LookupError(f"no item {item}")

    load = cached(store)(failing)
    calls = [asyncio.ensure_future(load(1)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(o, LookupError) for o in outcomes)
    assert runs == 1
    with pytest.raises(LookupError):
        await load(1)
    assert runs == 2
    assert await store.keys() == []


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    counter = Counter()
    counter.gate = asyncio.Event()
    load = make(MemoryStore(), counter)
    first, second = asyncio.ensure_future(load(1)), asyncio.ensure_future(load(1))
    await asyncio.sleep(0.01)
    first.cancel()
    await asyncio.sleep(0)
    counter.gate.set()
    assert await second == {"item": 1, "run": 1}
    assert first.cancelled()


async def test_when_every_caller_gives_up_the_function_is_cancelled() -> None:
    started, finished = asyncio.Event(), False

    async def slow(item: int) -> dict[str, int]:
        nonlocal finished
        started.set()
        await asyncio.sleep(30)
        finished = True
        return {"item": item}

    load = cached(MemoryStore())(slow)
    call = asyncio.ensure_future(load(1))
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.wait_for(load.wait_pending(), 5)
    assert not finished


async def test_invalidate_deletes_the_entry_and_keeps_a_running_call_from_storing_its_result() -> (
    None
):
    counter, store = Counter(), MemoryStore()
    load = make(store, counter)
    await load(1)
    await load.wait_pending()
    assert await load.invalidate(1) is True
    assert await load.invalidate(1) is False
    counter.gate = asyncio.Event()
    running = asyncio.ensure_future(load(1))
    await asyncio.sleep(0.01)
    await load.invalidate(1)  # the data changed while the call read the old state
    counter.gate.set()
    assert (await running)["run"] == 2
    await load.wait_pending()
    assert await store.get(load.key_for(1)) is None


async def test_refresh_recomputes_and_stores_at_once() -> None:
    counter, store = Counter(), MemoryStore()
    load = make(store, counter)
    await load(1)
    assert await load.refresh(1) == {"item": 1, "run": 2}
    await load.wait_pending()
    assert await load(1) == {"item": 1, "run": 2}


async def test_a_result_json_would_change_is_a_type_error_at_the_first_call() -> None:
    async def pair(item: int) -> tuple[int, int]:
        return (item, item)

    load = cached(MemoryStore())(pair)
    with pytest.raises(TypeError, match="encode= and decode="):
        await load(1)
    custom = cached(MemoryStore(), encode=list, decode=tuple)(pair)
    assert await custom(1) == (1, 1)
    await custom.wait_pending()
    assert await custom(1) == (1, 1)


async def test_a_failing_store_never_fails_the_call() -> None:
    counter = Counter(result={"secret": "canary-value-71"})
    load = make(FlakyStore.failing(MemoryStore(), StoreConnectionError), counter)
    with captured("kvdeco.cached") as records:
        assert await load(1) == {"secret": "canary-value-71"}
        await load.wait_pending()
    assert counter.runs == 1
    assert load.statistics.errors == 2  # the read and the write
    assert "StoreConnectionError" in text(records)
    assert "canary-value-71" not in text(records)


async def test_raise_on_cache_error_raises_the_store_error() -> None:
    load = make(
        FlakyStore.failing(MemoryStore(), StoreConnectionError),
        Counter(),
        raise_on_cache_error=True,
    )
    with pytest.raises(StoreConnectionError):
        await load(1)


async def test_a_cached_method_binds_to_its_instance_and_leaves_self_out_of_the_key() -> None:
    store = MemoryStore()

    class Repository:
        def __init__(self, name: str) -> None:
            self.name = name

        @cached(store)
        async def find(self, item: int) -> dict[str, Any]:
            """Find one item."""
            return {"item": item, "by": self.name}

    first, second = Repository("first"), Repository("second")
    assert await first.find(1) == {"item": 1, "by": "first"}
    await Repository.find.wait_pending()
    assert await second.find(1) == {"item": 1, "by": "first"}, "self is not part of the key"
    assert first.find.key_for(1) == Repository.find.key_for(first, 1)
    assert await second.find.invalidate(1) is True
    assert (await second.find.refresh(1))["by"] == "second"
    assert first.find.store is store
    assert str(inspect.signature(first.find)) == "(item: 'int') -> 'dict[str, Any]'"


def test_frameworks_see_a_coroutine_function_on_both_paths() -> None:
    async def load(item: int) -> None: ...

    class Service:
        @cached(MemoryStore())
        async def load(self, item: int) -> None: ...

    for candidate in (cached(MemoryStore())(load), Service().load, Service.load):
        assert inspect.iscoroutinefunction(candidate)
        assert asyncio.iscoroutinefunction(candidate)


def test_the_function_keeps_its_name_docstring_and_signature() -> None:
    async def load(item: int, *, fresh: bool = False) -> dict[str, int]:
        """Load one item."""
        return {"item": item}

    wrapped = cached(MemoryStore())(load)
    assert wrapped.__name__ == "load"
    assert wrapped.__doc__ == "Load one item."
    assert inspect.signature(wrapped) == inspect.signature(load)
    assert wrapped.__wrapped__ is load


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"ttl": 0}, ValueError, "ttl must be a finite number"),
        ({"ttl": "5"}, TypeError, "ttl must be a number"),
        ({"negative_ttl": float("inf")}, ValueError, "negative_ttl"),
        ({"stale_ttl": 5}, ValueError, "stale_ttl needs a ttl"),
        ({"single_flight": 1}, TypeError, "single_flight must be a bool"),
        ({"collection": 3}, TypeError, "collection must be a str"),
        ({"key": 3}, TypeError, "key must be a template string or a callable"),
    ],
)
def test_bad_options_are_refused_when_decorating(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    async def load(item: int) -> None: ...

    with pytest.raises(error, match=message):
        cached(MemoryStore(), **options)(load)


def test_only_async_functions_and_real_stores_are_accepted() -> None:
    def sync(item: int) -> None: ...

    with pytest.raises(TypeError, match="async def"):
        cached(MemoryStore())(sync)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="object has no get, put, delete"):
        cached(object())
