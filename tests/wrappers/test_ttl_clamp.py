"""TTLClampWrapper checks a TTL, then keeps it within its bounds; nothing else changes."""

from __future__ import annotations

import asyncio
import math
from importlib import metadata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import InvalidTTLError, MemoryStore, layers
from kvdeco.testing import RecordingStore, StoreContract, decorated_both_ways
from kvdeco.validation import MAX_TTL
from kvdeco.wrappers.ttl_clamp import TTLClampWrapper, ttl_clamp


class TestTTLClampContract(StoreContract):
    """Bounds wide enough for every TTL the contract writes, so it stays exact."""

    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(ttl_clamp(0.01, 3600), MemoryStore)[request.param]


class TestTTLClampWithMissingTTLContract(StoreContract):
    """Entries written without a TTL get one, so TTLs are not read back as written."""

    checks_ttl_exactly = False

    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        clamp = ttl_clamp(0.01, 60, missing_ttl=30)
        return decorated_both_ways(clamp, MemoryStore)[request.param]


@pytest.mark.parametrize(("ttl", "stored"), [(30, 60), (60, 60), (3600, 3600), (10**9, 86400)])
async def test_ttls_are_clamped_into_the_range(ttl: float, stored: float) -> None:
    inner = RecordingStore(MemoryStore())
    store = TTLClampWrapper(key_value=inner, min_ttl=60, max_ttl=86400)
    await store.put("k", {"v": 1}, ttl=ttl)
    await store.put_many(["a"], [{"v": 1}], ttl=ttl)
    assert inner.ttls == [stored, stored]


async def test_no_ttl_stays_unlimited_or_gets_missing_ttl() -> None:
    inner = RecordingStore(MemoryStore())
    await TTLClampWrapper(inner, 60, 86400).put("k", {"v": 1})
    await TTLClampWrapper(inner, 60, 86400, missing_ttl=600).put("k", {"v": 1})
    assert inner.ttls == [None, 600]


@pytest.mark.parametrize("ttl", [0, -5, True, math.nan, math.inf, "thirty"])
async def test_an_invalid_ttl_is_refused_not_clamped(ttl: Any) -> None:
    inner = RecordingStore(MemoryStore())
    store = TTLClampWrapper(inner, 60, 86400)
    with pytest.raises(InvalidTTLError):
        await store.put("k", {"v": 1}, collection="c", ttl=ttl)
    assert inner.ttls == []


@pytest.mark.parametrize(
    ("min_ttl", "max_ttl", "missing_ttl", "error"),
    [
        (100, 10, None, ValueError),
        (-1, 10, None, ValueError),
        (-1, 10, None, ValueError),
        (1, math.inf, None, ValueError),
        (math.nan, 10, None, ValueError),
        (True, 10, None, TypeError),
        ("1", 10, None, TypeError),
        (1, 10, 0, ValueError),
        (1, 10, -5, ValueError),
    ],
)
def test_bad_bounds_are_refused_at_construction(
    min_ttl: Any, max_ttl: Any, missing_ttl: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match="ttl"):
        ttl_clamp(min_ttl, max_ttl, missing_ttl=missing_ttl)


@pytest.mark.parametrize(("missing", "written"), [(20, 10.0), (0.5, 1.0), (5, 5.0)])
async def test_a_missing_ttl_outside_the_range_is_clamped_into_it(
    missing: float, written: float
) -> None:
    inner = RecordingStore(MemoryStore())
    await TTLClampWrapper(inner, 1, 10, missing_ttl=missing).put("k", {"v": 1})
    assert inner.ttls == [written]


_PKV_VERSION = tuple(int(part) for part in metadata.version("py-key-value-aio").split(".")[:2])


@pytest.mark.parametrize("missing", [20, 0.5])
async def test_the_clamped_missing_ttl_matches_py_key_value(missing: float) -> None:
    from key_value.aio.stores.memory import MemoryStore as PkvMemoryStore
    from key_value.aio.wrappers.ttl_clamp import TTLClampWrapper as PkvTTLClampWrapper

    ours = TTLClampWrapper(MemoryStore(), 1, 10, missing_ttl=missing)
    theirs = PkvTTLClampWrapper(PkvMemoryStore(), 1, 10, missing_ttl=missing)
    for store in (ours, theirs):
        await store.put(key="k", value={"v": 1})
    (_, our_ttl), (_, their_ttl) = await ours.ttl("k"), await theirs.ttl(key="k")
    assert our_ttl is not None and their_ttl is not None
    clamped = min(max(missing, 1), 10)
    assert round(our_ttl) == clamped
    # 0.4 wrote missing_ttl as given; 0.5 clamps it, as kvdeco does.
    assert round(their_ttl) == (clamped if _PKV_VERSION >= (0, 5) else round(missing))


def test_the_aspect_reads_like_its_call() -> None:
    assert repr(layers(ttl_clamp(60, 86400)(MemoryStore()))[0]) == (
        "ttl_clamp(min_ttl=60.0, max_ttl=86400.0, missing_ttl=None)"
    )


_bounds = st.tuples(
    st.floats(min_value=0.001, max_value=1e6), st.floats(min_value=0.001, max_value=1e6)
).map(sorted)
_ttls = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10, max_value=10**12),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(bounds=_bounds, ttl=_ttls, use_missing=st.booleans(), many=st.booleans())
def test_every_ttl_reaching_the_store_is_within_bounds(
    bounds: list[float], ttl: Any, use_missing: bool, many: bool
) -> None:
    low, high = bounds
    missing = (low + high) / 2 if use_missing else None
    inner = RecordingStore(MemoryStore())
    store = TTLClampWrapper(inner, low, high, missing_ttl=missing)

    async def write() -> None:
        if many:
            await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], ttl=ttl)
        else:
            await store.put("a", {"n": 1}, ttl=ttl)

    try:
        asyncio.run(write())
    except InvalidTTLError:
        assert inner.ttls == []
        assert isinstance(ttl, bool) or not (ttl > 0 and ttl <= MAX_TTL)
        return
    assert len(inner.ttls) == 1
    stored = inner.ttls[0]
    if ttl is None and missing is None:
        assert stored is None
    else:
        assert low <= stored <= high


async def test_a_minimum_of_zero_means_no_lower_bound() -> None:
    inner = MemoryStore()
    store = TTLClampWrapper(inner, min_ttl=0, max_ttl=100)
    await store.put("short", {"v": 1}, ttl=0.5)
    await store.put("long", {"v": 1}, ttl=1000)
    (_, short), (_, long) = await inner.ttl_many(["short", "long"])
    assert short is not None and 0 < short <= 0.5
    assert long is not None and 99 < long <= 100
    with pytest.raises(InvalidTTLError):
        await store.put("zero", {"v": 1}, ttl=0)
