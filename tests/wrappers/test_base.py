"""The wrapper base: how a layer reaches its aspect and the store, cheaply but faithfully."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import pickle
from typing import Any, ClassVar

import pytest

from kvdeco import (
    Aspect,
    Call,
    InvalidKeyError,
    MemoryStore,
    StatisticsWrapper,
    adapt,
    prefix_keys,
    with_statistics,
)
from kvdeco.decorating import Decorator
from kvdeco.operations import OPERATIONS, Proceed
from kvdeco.wrappers.base import AspectWrapper, BaseWrapper


@dataclasses.dataclass(frozen=True, repr=False)
class SeesWrites(Aspect):
    """Records the operations it is shown; it names only the writes."""

    label: ClassVar[str] = "sees_writes"
    operations: ClassVar[frozenset[str] | None] = frozenset({"put", "put_many"})
    seen: list[str] = dataclasses.field(compare=False, hash=False)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        self.seen.append(call.op.name)
        return await proceed(call)


@pytest.mark.parametrize("path", ["instance", "class"])
async def test_an_aspect_sees_only_the_operations_it_names(path: str) -> None:
    seen: list[str] = []
    decorator = Decorator(SeesWrites(seen), AspectWrapper)
    store = decorator(MemoryStore()) if path == "instance" else decorator(MemoryStore)()
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    assert await store.get_many(["k"]) == [{"v": 1}]
    assert await store.delete("k") is True
    await store.put_many(["a"], [{}])
    assert await store.keys() == ["a"]
    assert seen == ["put", "put_many"]


def test_wrapper_operations_are_coroutine_functions() -> None:
    store = prefix_keys("p")(MemoryStore())
    for name in OPERATIONS:
        assert asyncio.iscoroutinefunction(getattr(store, name)), name


class Recorder:
    """The runtime :class:`Recorded` binds: the names of the operations it ran, in order."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def around(self, call: Call, proceed: Proceed) -> Any:
        self.seen.append(call.op.name)
        return await proceed(call)


@dataclasses.dataclass(frozen=True, repr=False)
class Recorded(Aspect):
    """An aspect with state per store: each store it is bound to gets a recorder of its own."""

    label: ClassVar[str] = "recorded"
    exposed: ClassVar[tuple[str, ...]] = ("seen",)

    def bind(self) -> Recorder:
        return Recorder()


async def test_every_operation_runs_through_the_runtime_its_aspect_binds() -> None:
    decorator = Decorator(Recorded(), AspectWrapper)
    for make in (lambda: decorator(MemoryStore()), lambda: decorator(MemoryStore)()):
        store, other = make(), make()
        await store.put("k", {})
        await store.get("k")
        await store.ttl("k")
        await store.put_many(["a"], [{}])
        await store.get_many(["a"])
        await store.ttl_many(["a"])
        await store.delete("k")
        await store.delete_many(["a"])
        await store.keys()
        await store.collections()
        await store.destroy_collection("c")
        await store.destroy()
        assert store.seen == [
            "put",
            "get",
            "ttl",
            "put_many",
            "get_many",
            "ttl_many",
            "delete",
            "delete_many",
            "keys",
            "collections",
            "destroy_collection",
            "destroy",
        ]
        assert other.seen == []  # one runtime per store, bound when the store is made


async def test_a_bad_call_raises_when_awaited_not_when_made() -> None:
    store = prefix_keys("p")(MemoryStore())
    pending = store.get(123)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        await pending
    results = await asyncio.gather(store.get(123), store.get("k"), return_exceptions=True)  # type: ignore[arg-type]
    assert isinstance(results[0], InvalidKeyError)
    assert results[1] is None


async def test_a_method_replaced_on_the_store_later_is_the_one_called() -> None:
    seen: list[str] = []
    inner = MemoryStore()
    store = Decorator(SeesWrites(seen), AspectWrapper)(inner)

    async def replaced(key: str, *, collection: str | None = None) -> Any:
        return {"replaced": key}

    inner.get = replaced  # type: ignore[method-assign]
    assert await store.get("k") == {"replaced": "k"}


def test_a_custom_wrappers_key_value_is_typed_as_a_store() -> None:
    # The specification's custom wrapper returns ``await self.key_value.get(...)``; typed as
    # Any, that return fails ``mypy --strict`` (no-any-return) in the user's code.
    import typing

    from kvdeco.protocols import AsyncKeyValue
    from kvdeco.wrappers import base

    fget = base.BaseWrapper.key_value.fget
    assert fget is not None
    hints = typing.get_type_hints(fget, vars(base) | {"AsyncKeyValue": AsyncKeyValue})
    assert hints["return"] is AsyncKeyValue


class Tagging(BaseWrapper):
    """A custom wrapper with state of its own, written as the py-key-value docs show."""

    def __init__(self, key_value: Any, tag: str) -> None:
        self.key_value = key_value
        super().__init__()
        self._self_tag = tag

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        value = await self.key_value.get(key, collection=collection)
        return None if value is None else {**value, "tag": self._self_tag}


class OnlySingles:
    """A store with only the single-key operations, for :func:`kvdeco.adapt`."""

    def __init__(self) -> None:
        self.data: dict[tuple[str | None, str], Any] = {}

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return self.data.get((collection, key))

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        self.data[(collection, key)] = dict(value)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        return self.data.pop((collection, key), None) is not None


COPIES = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    "pickle": lambda store: pickle.loads(pickle.dumps(store)),
}


@pytest.mark.parametrize("how", sorted(COPIES))
async def test_a_custom_wrapper_copies_and_pickles_with_its_own_state(how: str) -> None:
    store = Tagging(MemoryStore(), "blue")
    await store.put("k", {"v": 1})
    copied = COPIES[how](store)
    assert type(copied) is Tagging
    assert await copied.get("k") == {"v": 1, "tag": "blue"}


@pytest.mark.parametrize("how", sorted(COPIES))
async def test_an_adapted_store_copies_and_pickles(how: str) -> None:
    store = adapt(OnlySingles())
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
    copied = COPIES[how](store)
    assert await copied.get_many(["a", "b"]) == [{"n": 1}, {"n": 2}]


async def test_a_proxy_offers_its_aspects_exposed_names_through_a_stack() -> None:
    store = prefix_keys("p")(with_statistics(MemoryStore()))
    await store.get("missing")
    assert store.get_statistics().get.misses == 1
    store.reset_statistics()
    assert store.get_statistics().get.count == 0
    assert isinstance(vars(StatisticsWrapper)["get_statistics"], property)
    with pytest.raises(AttributeError):
        prefix_keys("p")(MemoryStore()).get_statistics  # noqa: B018 - the lookup is the test


async def test_a_stack_of_proxies_makes_one_call_for_all_its_layers() -> None:
    seen: list[int] = []

    @dataclasses.dataclass(frozen=True, repr=False)
    class SeesCall(Aspect):
        async def around(self, call: Call, proceed: Proceed) -> Any:
            seen.append(id(call))
            return await proceed(call)

    layer = Decorator(SeesCall(), AspectWrapper)
    store = layer(layer(layer(MemoryStore())))
    await store.put("k", {"v": 1})
    assert len(seen) == 3 and len(set(seen)) == 1
