"""ReadOnlyWrapper serves every read and never changes the store beneath it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import MemoryStore, ReadOnlyError, layers
from kvdeco.testing import StoreContract
from kvdeco.wrappers.read_only import ReadOnlyWrapper, read_only

_READS = ("get", "ttl", "get_many", "ttl_many", "keys", "collections")


class _Unbound:
    """The undecorated methods of a decorated store: writes that go around its aspect."""

    def __init__(self, store: Any, cls: type) -> None:
        self.store, self.cls = store, cls

    def __getattr__(self, name: str) -> Any:
        return functools.partial(getattr(self.cls, name), self.store)


class ReadsThroughTheView:
    """Reads go through the read-only store; writes fill the store beneath it directly.

    This lets the whole store contract check the read side: every value it reads back was
    written beside the view and must come through it unchanged.
    """

    def __init__(self, view: Any, filler: Any) -> None:
        self.view, self.filler = view, filler

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view if name in _READS else self.filler, name)

    # The protocol check looks for the methods on the class.
    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return await self.view.get(key, collection=collection)

    async def ttl(self, key: str, *, collection: str | None = None) -> Any:
        return await self.view.ttl(key, collection=collection)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return await self.view.get_many(keys, collection=collection)

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return await self.view.ttl_many(keys, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        await self.filler.put(key, value, collection=collection, ttl=ttl)

    async def put_many(
        self, keys: Any, values: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        await self.filler.put_many(keys, values, collection=collection, ttl=ttl)

    async def delete(self, key: str, *, collection: str | None = None) -> Any:
        return await self.filler.delete(key, collection=collection)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return await self.filler.delete_many(keys, collection=collection)


class TestReadOnlyReadSideContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        if request.param == "class":
            view = read_only(MemoryStore)()
            return ReadsThroughTheView(view, _Unbound(view, MemoryStore))
        inner = MemoryStore()
        return ReadsThroughTheView(read_only(inner), inner)


@pytest.fixture(params=["class", "instance"])
async def filled(request: pytest.FixtureRequest) -> Any:
    """A read-only store over an inner store holding ``k`` in ``c``, and that inner store."""
    if request.param == "class":
        view = read_only()(MemoryStore)()
        inner: Any = _Unbound(view, MemoryStore)
    else:
        inner = MemoryStore()
        view = ReadOnlyWrapper(key_value=inner)
    await inner.put("k", {"v": 1}, collection="c", ttl=100)
    return view, inner


_WRITES = [
    ("put", ("k", {"v": 2}), {"collection": "c"}, "k"),
    ("put_many", (["k"], [{"v": 2}]), {"collection": "c"}, None),
    ("delete", ("k",), {"collection": "c"}, "k"),
    ("delete_many", (["k"],), {"collection": "c"}, None),
    ("destroy_collection", ("c",), {}, None),
    ("destroy", (), {}, None),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "key"), _WRITES)
async def test_every_write_raises_read_only_error_naming_the_call(
    filled: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], key: str | None
) -> None:
    view, inner = filled
    with pytest.raises(ReadOnlyError) as raised:
        await getattr(view, name)(*args, **kwargs)
    assert raised.value.operation == name
    assert raised.value.key == key
    assert name in str(raised.value) and "{'v'" not in str(raised.value)
    if name != "destroy":
        assert raised.value.collection == "c"
    assert await inner.get("k", collection="c") == {"v": 1}


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "result"),
    [(n, a, k, r) for (n, a, k, _), r in zip(_WRITES, [None, None, False, 0, False, False])],
)
async def test_writes_are_no_ops_when_not_raising(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    inner = MemoryStore()
    await inner.put("k", {"v": 1}, collection="c")
    view = ReadOnlyWrapper(inner, raise_on_write=False)
    assert await getattr(view, name)(*args, **kwargs) == result
    assert await inner.get("k", collection="c") == {"v": 1}


async def test_reads_listing_and_cull_pass_through(filled: Any) -> None:
    view, _ = filled
    assert await view.get("k", collection="c") == {"v": 1}
    value, remaining = await view.ttl("k", collection="c")
    assert value == {"v": 1} and remaining is not None and 99 <= remaining <= 100
    assert await view.get_many(["k", "x"], collection="c") == [{"v": 1}, None]
    assert await view.keys("c") == ["k"]
    assert await view.collections() == ["c"]
    await view.cull()


def test_raise_on_write_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="raise_on_write"):
        ReadOnlyWrapper(MemoryStore(), raise_on_write="no")  # type: ignore[arg-type]


def test_bare_and_called_decorators_are_the_same() -> None:
    assert layers(read_only(MemoryStore())) == layers(read_only()(MemoryStore()))
    assert repr(layers(read_only(MemoryStore()))[0]) == "read_only(raise_on_write=True)"


_names = st.sampled_from(["a", "b", "c:d", ""])
_operations = st.lists(
    st.one_of(
        st.tuples(st.just("put"), _names, _names),
        st.tuples(st.just("put_many"), _names, _names),
        st.tuples(st.just("delete"), _names, _names),
        st.tuples(st.just("delete_many"), _names, _names),
        st.tuples(st.just("destroy_collection"), _names, _names),
        st.tuples(st.just("destroy"), _names, _names),
        st.tuples(st.just("cull"), _names, _names),
        st.tuples(st.just("get"), _names, _names),
    ),
    max_size=12,
)


async def _snapshot(store: MemoryStore) -> dict[str, dict[str, Any]]:
    return {
        collection: dict(
            zip(
                keys := sorted(await store.keys(collection)),
                await store.ttl_many(keys, collection=collection),
            )
        )
        for collection in await store.collections()
    }


async def _apply(view: Any, name: str, key: str, collection: str) -> None:
    calls = {
        "put": lambda: view.put(key, {"new": 1}, collection=collection, ttl=50),
        "put_many": lambda: view.put_many([key], [{"new": 1}], collection=collection),
        "delete": lambda: view.delete(key, collection=collection),
        "delete_many": lambda: view.delete_many([key, "a"], collection=collection),
        "destroy_collection": lambda: view.destroy_collection(collection),
        "destroy": view.destroy,
        "cull": view.cull,
        "get": lambda: view.get(key, collection=collection),
    }
    with contextlib.suppress(ReadOnlyError):
        await calls[name]()


@settings(max_examples=100, deadline=None)
@given(operations=_operations, raise_on_write=st.booleans())
def test_no_sequence_of_operations_changes_the_inner_store(
    operations: list[tuple[str, str, str]], raise_on_write: bool
) -> None:
    async def run() -> None:
        inner = MemoryStore()
        for collection in ("a", "c:d", "default_collection"):
            await inner.put_many(["a", "b"], [{"n": 1}, {"n": 2}], collection=collection)
        await inner.put("b", {"n": 3}, collection="b", ttl=1000)
        before = await _snapshot(inner)
        view = ReadOnlyWrapper(inner, raise_on_write=raise_on_write)
        for name, key, collection in operations:
            await _apply(view, name, key, collection)
        after = await _snapshot(inner)
        assert after.keys() == before.keys()
        for collection, entries in before.items():
            assert after[collection].keys() == entries.keys()
            for key, (value, remaining) in entries.items():
                assert after[collection][key][0] == value
                # The one TTL written is 1000 s; a write would have set 50 s or none.
                assert (remaining is None) == (after[collection][key][1] is None)
                assert remaining is None or after[collection][key][1] > 900

    asyncio.run(run())


def test_the_aspect_names_exactly_the_operations_that_change_the_store() -> None:
    from kvdeco.operations import OPERATIONS
    from kvdeco.wrappers.read_only import ReadOnly

    assert ReadOnly.operations == {op.name for op in OPERATIONS.values() if op.is_write}
