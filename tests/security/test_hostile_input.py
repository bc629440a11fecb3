"""Hostile calls through every store and wrapper: refused cleanly, quietly and without effect.

Hypothesis throws wrong types, invalid TTLs, non-JSON and non-mapping values, huge keys and
values, strings where lists belong and bulk writes whose lengths do not match at every store
and every wrapper. Each call either succeeds or raises a documented error (a kvdeco operation
error, ``TypeError`` or ``ValueError``); a refused call leaves every store underneath exactly
as it was (a bulk write with one bad item writes none of them), and its traceback never shows
the value it was given.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from key_value.aio.stores.memory.store import MemoryStore as PyKeyValueMemoryStore

from kvdeco import (
    CompressionWrapper,
    DiskStore,
    FallbackWrapper,
    FernetEncryptionWrapper,
    InvalidKeyError,
    KeyValueOperationError,
    LimitSizeWrapper,
    LoggingWrapper,
    MemoryStore,
    PassthroughCacheWrapper,
    PrefixCollectionsWrapper,
    PrefixKeysWrapper,
    ReadOnlyWrapper,
    RedisStore,
    RetryWrapper,
    SingleCollectionWrapper,
    StatisticsWrapper,
    TimeoutWrapper,
    TTLClampWrapper,
)
from kvdeco.stores.adapter import adapt
from kvdeco.testing import strategies as kst
from tests.redis_server import RedisProcess, require_redis_server
from tests.security.canary import CANARY, rendered

DOCUMENTED = (KeyValueOperationError, TypeError, ValueError)
"""What a refused call may raise (``InvalidTTLError``... are ``ValueError`` too)."""

Build = Callable[[Any], tuple[Any, list[Any]]]
"""Wraps an inner store; returns the wrapper and the other stores it writes to."""

FERNET = Fernet(Fernet.generate_key())

WRAPPERS: dict[str, Build] = {
    "bare": lambda inner: (inner, []),
    "compression": lambda inner: (CompressionWrapper(inner, min_size_to_compress=32), []),
    "encryption": lambda inner: (FernetEncryptionWrapper(inner, fernet=FERNET), []),
    "limit_size": lambda inner: (LimitSizeWrapper(inner, max_size=500_000), []),
    "logging": lambda inner: (LoggingWrapper(inner), []),
    "prefix_collections": lambda inner: (PrefixCollectionsWrapper(inner, prefix="tenant"), []),
    "prefix_keys": lambda inner: (PrefixKeysWrapper(inner, prefix="app"), []),
    "read_only": lambda inner: (ReadOnlyWrapper(inner), []),
    "retry": lambda inner: (RetryWrapper(inner, max_retries=1, initial_delay=0), []),
    "single_collection": lambda inner: (SingleCollectionWrapper(inner, collection="one"), []),
    "statistics": lambda inner: (StatisticsWrapper(inner), []),
    "timeout": lambda inner: (TimeoutWrapper(inner, timeout=30), []),
    "ttl_clamp": lambda inner: (TTLClampWrapper(inner, min_ttl=1, max_ttl=3600), []),
}


def _fallback(inner: Any) -> tuple[Any, list[Any]]:
    backup = MemoryStore()
    return FallbackWrapper(primary=inner, fallback=backup, write_to_fallback=True), [backup]


def _cache(inner: Any) -> tuple[Any, list[Any]]:
    cache = MemoryStore()
    return PassthroughCacheWrapper(cache=cache, store=inner), [cache]


WRAPPERS["fallback"] = _fallback
WRAPPERS["passthrough_cache"] = _cache

# -- hostile arguments -------------------------------------------------------------------

HUGE_KEY = "k" * 100_000
HUGE_VALUE = {"secret": CANARY, "blob": "x" * 1_000_000}

not_text = st.one_of(
    st.integers(),
    st.floats(),
    st.binary(max_size=4),
    st.booleans(),
    st.lists(st.text(max_size=2), max_size=2),
    st.tuples(st.text(max_size=2)),
    st.builds(object),
)
good_keys = st.one_of(st.sampled_from(["a", "b", ""]), st.text(max_size=8))
bad_keys = st.one_of(not_text, st.just(HUGE_KEY))
good_collections = st.sampled_from([None, "", "c", "other"])
bad_collections = not_text
good_ttls = st.one_of(st.none(), st.floats(min_value=0.5, max_value=1e6))
bad_ttls = st.one_of(
    st.floats().filter(lambda t: not 0 < t < math.inf),
    st.integers(-3, 0),
    st.booleans(),
    st.sampled_from([math.nan, math.inf, -math.inf, "10", [1], 1j]),
)
not_json = st.one_of(
    st.sets(st.integers(), max_size=2),
    st.binary(max_size=4),
    st.builds(object),
    st.sampled_from([math.nan, math.inf, 1j, frozenset({1})]),
)
good_values = st.one_of(
    st.dictionaries(st.text(max_size=4), kst.json_scalars(), max_size=3).map(
        lambda extra: {**extra, "secret": CANARY}
    ),
    st.just(HUGE_VALUE),
)
bad_values = st.one_of(
    not_json.map(lambda bad: {"secret": CANARY, "bad": bad}),
    not_json.map(lambda bad: {"secret": CANARY, "deep": [{"bad": bad}]}),
    st.sampled_from([{1: CANARY}, {(1, 2): CANARY}, {None: CANARY}, [CANARY], CANARY, None, 7]),
)


@st.composite
def hostile_calls(draw: st.DrawFn) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    """One call, every argument valid but one: the method name, positional and keyword args."""
    op = draw(
        st.sampled_from(
            [
                "put",
                "put",
                "put_many",
                "put_many",
                "get",
                "get_many",
                "ttl",
                "ttl_many",
                "delete",
                "delete_many",
            ]
        )
    )
    bad = draw(st.sampled_from(["key", "collection", "value", "ttl", "shape"]))

    def pick(name: str, good: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
        return draw(hostile if name == bad else good)

    where = {"collection": pick("collection", good_collections, bad_collections)}
    if op == "put":
        key, value = pick("key", good_keys, bad_keys), pick("value", good_values, bad_values)
        return op, (key, value), {**where, "ttl": pick("ttl", good_ttls, bad_ttls)}
    # In a list, one item is the hostile one (where it is matters for partial writes).
    size = draw(st.integers(0, 3))
    odd = draw(st.integers(0, max(size - 1, 0)))
    many: Any = [pick("key" if i == odd else "", good_keys, bad_keys) for i in range(size)]
    if bad == "shape":
        many = draw(st.one_of(st.text(max_size=3), not_text, st.just(many)))
    if op == "put_many":
        count = len(many) if isinstance(many, list) else 1
        batch: Any = [
            pick("value" if i == odd else "", good_values, bad_values) for i in range(count)
        ]
        if bad == "shape":
            batch = draw(
                st.one_of(
                    st.lists(good_values, max_size=4),  # lengths may not agree
                    st.sampled_from([CANARY, {"secret": CANARY}, None]),  # not a list of values
                )
            )
        return op, (many, batch), {**where, "ttl": pick("ttl", good_ttls, bad_ttls)}
    if op.endswith("_many"):
        return op, (many,), where
    return op, (pick("key", good_keys, bad_keys),), where


# -- stores ------------------------------------------------------------------------------


async def snapshot(store: Any) -> dict[str, dict[str, Any]]:
    """Everything ``store`` holds: collection -> key -> (value, whether it expires)."""
    content: dict[str, dict[str, Any]] = {}
    for collection in sorted(await store.collections()):
        names = sorted(await store.keys(collection))
        found = await store.ttl_many(names, collection=collection)
        content[collection] = {
            name: (value, remaining is not None) for name, (value, remaining) in zip(names, found)
        }
    return content


_namespaces = itertools.count()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_redis_server()
    with RedisProcess(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


class Inner:
    """Makes a fresh empty inner store of one kind for each hypothesis example."""

    def __init__(self, kind: str, url: str | None) -> None:
        self.kind = kind
        self.url = url

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[Any]:
        if self.kind == "memory":
            yield MemoryStore()
            return
        if self.kind == "adapted":
            yield adapt(PyKeyValueMemoryStore(), exact_delete=True)
            return
        if self.kind == "disk":
            with tempfile.TemporaryDirectory() as directory:
                async with DiskStore(os.path.join(directory, "store.db")) as disk:
                    yield disk
            return
        store = RedisStore(self.url, namespace=f"hostile{next(_namespaces)}")
        try:
            yield store
        finally:
            await store.destroy()
            await store.close()


@pytest.fixture(params=["memory", "adapted", "disk", "redis"])
def inner(request: pytest.FixtureRequest) -> Inner:
    if request.param == "redis":
        return Inner("redis", request.getfixturevalue("redis_url"))
    return Inner(request.param, None)


@pytest.mark.parametrize("wrapper", sorted(WRAPPERS))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(call=hostile_calls())
async def test_a_refused_call_raises_a_documented_error_changes_nothing_and_leaks_nothing(
    inner: Inner, wrapper: str, call: tuple[str, tuple[Any, ...], dict[str, Any]]
) -> None:
    op, args, kwargs = call
    async with inner.open() as store:
        outer, others = WRAPPERS[wrapper](store)
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection="c")
        await store.put("a", {"n": 0}, ttl=600)
        underneath = [store, *others]
        before = [await snapshot(s) for s in underneath]
        try:
            await getattr(outer, op)(*args, **kwargs)
        except DOCUMENTED as error:
            assert CANARY not in rendered(error)
            assert [await snapshot(s) for s in underneath] == before


@pytest.mark.parametrize("values", [None, 7, CANARY, {"secret": CANARY}])
async def test_a_value_codec_refuses_a_bulk_write_without_a_list_of_values(values: Any) -> None:
    # Regression: compression, encryption and the size limit asserted instead of raising the
    # error the stores raise.
    inner = MemoryStore()
    for store in (
        CompressionWrapper(inner),
        FernetEncryptionWrapper(inner, fernet=FERNET),
        LimitSizeWrapper(inner, max_size=100),
    ):
        with pytest.raises(DOCUMENTED) as refused:
            await store.put_many(["a"], values)
        assert CANARY not in rendered(refused.value)
    assert await inner.collections() == []


async def test_a_value_codec_refuses_keys_given_as_one_string() -> None:
    inner = MemoryStore()
    for store in (CompressionWrapper(inner), LimitSizeWrapper(inner, raise_on_too_large=False)):
        with pytest.raises(InvalidKeyError):
            await store.put_many("ab", [{"n": 1}, {"n": 2}])
    assert await inner.collections() == []
