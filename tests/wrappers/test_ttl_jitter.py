"""TTLJitterWrapper: written TTLs spread uniformly within ±fraction, never below the floor."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from kvdeco import InvalidTTLError, MemoryStore
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.wrappers.ttl_jitter import TTLJitter, TTLJitterWrapper, ttl_jitter


class TestTTLJitterKeepsTheStoreContract(StoreContract):
    checks_ttl_exactly = False

    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(ttl_jitter(fraction=0.01), MemoryStore)[request.param]


class TestBareTTLJitterKeepsTheStoreContract(StoreContract):
    checks_ttl_exactly = False

    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(ttl_jitter, MemoryStore)[request.param]


async def test_ten_thousand_ttls_spread_over_the_whole_band_and_stay_in_it() -> None:
    inner = RecordingStore(MemoryStore())
    store = TTLJitterWrapper(inner, fraction=0.1, seed=7)
    for i in range(10_000):
        await store.put(f"k{i}", {}, ttl=600)
    ttls = inner.ttls
    assert len(ttls) == 10_000
    assert min(ttls) >= 540 and max(ttls) <= 660
    bins = [0] * 20
    for ttl in ttls:
        bins[min(int((ttl - 540) / 6), 19)] += 1
    # Uniform: each of the 20 bins of 6 s expects 500; none is empty or far off.
    assert all(300 < count < 700 for count in bins), bins
    assert min(ttls) < 541 and max(ttls) > 659  # both ends of the band are reached
    print(f"10,000 TTLs of 600 s: {min(ttls):.2f}..{max(ttls):.2f} s, bins {bins}")


async def test_bulk_writes_are_jittered_once_for_the_call() -> None:
    inner = RecordingStore(MemoryStore())
    store = TTLJitterWrapper(inner, fraction=0.5, seed=1)
    await store.put_many(["a", "b"], [{}, {}], ttl=100)
    (ttl,) = inner.ttls
    assert 50 <= ttl <= 150 and ttl != 100


async def test_no_ttl_stays_no_ttl() -> None:
    inner = RecordingStore(MemoryStore())
    store = ttl_jitter(inner)
    await store.put("k", {"v": 1})
    assert inner.ttls == [None]
    assert await store.ttl("k") == ({"v": 1}, None)


async def test_a_ttl_never_goes_below_the_floor() -> None:
    inner = RecordingStore(MemoryStore())
    store = TTLJitterWrapper(inner, fraction=1.0, floor=0.5, seed=3)
    for i in range(500):
        await store.put(f"k{i}", {}, ttl=1)
    assert min(inner.ttls) >= 0.5 and max(inner.ttls) <= 2


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), True, "60"])
async def test_invalid_ttls_are_refused_not_jittered(ttl: Any) -> None:
    inner = RecordingStore(MemoryStore())
    with pytest.raises(InvalidTTLError):
        await ttl_jitter(inner).put("k", {}, ttl=ttl)
    assert inner.ttls == []


async def test_a_seed_repeats_the_sequence_and_stores_draw_separately() -> None:
    first, second = (RecordingStore(MemoryStore()) for _ in range(2))
    for inner in (first, second):
        store = TTLJitterWrapper(inner, seed=42)
        for _ in range(5):
            await store.put("k", {}, ttl=100)
    assert first.ttls == second.ttls
    assert len(set(first.ttls)) == 5


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"fraction": -0.1}, ValueError),
        ({"fraction": 1.5}, ValueError),
        ({"fraction": "0.1"}, TypeError),
        ({"floor": 0}, ValueError),
        ({"seed": 1.5}, TypeError),
    ],
)
def test_invalid_options_are_refused(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        TTLJitterWrapper(MemoryStore(), **options)


def test_the_aspect_pickles_and_reads_like_its_call() -> None:
    aspect = TTLJitter(fraction=0.2, seed=5)
    assert pickle.loads(pickle.dumps(aspect)) == aspect
    assert repr(aspect) == "ttl_jitter(fraction=0.2, seed=5, floor=0.001)"
