"""The aspect engine: one decorator for store classes and instances, stacking, introspection."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import pickle
import traceback
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from cryptography.fernet import Fernet

from kvdeco import (
    Aspect,
    AsyncKeyValue,
    Call,
    MemoryStore,
    PrefixKeysWrapper,
    StatisticsWrapper,
    adapt,
    compressed,
    encrypted,
    layers,
    prefix_keys,
    unwrap,
    with_statistics,
)
from kvdeco.decorating import Decorator
from kvdeco.operations import Proceed
from kvdeco.wrappers.base import AspectWrapper


@dataclasses.dataclass(frozen=True, repr=False)
class Trace(Aspect):
    """Records the order in which layers see a call and its result."""

    label: ClassVar[str] = "trace"
    name: str
    journal: list[str] = dataclasses.field(compare=False, hash=False, repr=False)

    async def around(self, call: Call, proceed: Proceed) -> Any:
        self.journal.append(f"{self.name}>")
        result = await proceed(call)
        self.journal.append(f"<{self.name}")
        return result


def trace(name: str, journal: list[str]) -> Decorator[AspectWrapper]:
    return Decorator(Trace(name, journal), AspectWrapper)


class GatheringStore(MemoryStore):
    """A store whose bulk write calls its own single write concurrently."""

    async def put_many(  # type: ignore[override]
        self,
        keys: Sequence[str],
        values: Sequence[Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> None:
        await asyncio.gather(
            *(self.put(k, v, collection=collection, ttl=ttl) for k, v in zip(keys, values))
        )


class ExtraStore(MemoryStore):
    region = "eu"

    def describe(self) -> str:
        return f"store in {self.region}"


# -- the class path ---------------------------------------------------------------------


def test_decorating_a_class_returns_a_subclass_with_the_same_identity() -> None:
    decorated = with_statistics(ExtraStore)
    assert issubclass(decorated, ExtraStore)
    assert decorated is not ExtraStore
    assert decorated.__name__ == "ExtraStore"
    assert decorated.__module__ == ExtraStore.__module__
    assert decorated.__doc__ == ExtraStore.__doc__
    assert decorated.__wrapped__ is ExtraStore


def test_the_original_class_is_left_untouched() -> None:
    before = dict(vars(ExtraStore))
    with_statistics(ExtraStore)
    prefix_keys("p")(ExtraStore)
    assert dict(vars(ExtraStore)) == before
    assert not hasattr(ExtraStore(), "get_statistics")


async def test_class_path_applies_the_aspect() -> None:
    store = prefix_keys("tenant")(MemoryStore)()
    await store.put("k", {"v": 1})
    assert await MemoryStore.keys(store) == ["tenant:k"]
    assert await store.keys() == ["k"]


async def test_each_instance_of_a_decorated_class_counts_separately() -> None:
    counted = with_statistics(MemoryStore)
    first, second = counted(), counted()
    await first.get("a")
    await first.get("b")
    await second.get("a")
    assert first.get_statistics().get.count == 2
    assert second.get_statistics().get.count == 1


async def test_a_subclass_of_a_decorated_class_keeps_the_aspect() -> None:
    @prefix_keys("p")
    class Base(MemoryStore):
        pass

    class Child(Base):
        pass

    store = Child()
    await store.put("k", {"v": 1})
    assert await MemoryStore.keys(store) == ["p:k"]


async def test_a_decorated_kvdeco_store_enters_its_chain_from_the_instance() -> None:
    # Nothing of MemoryStore re-enters it, so after the first call each operation is the
    # chain's entry itself, found on the instance; pickles and copies leave the entries out.
    store = with_statistics(prefix_keys("p")(MemoryStore))()
    await store.put("k", {"v": 1})
    assert "get" in vars(store) and vars(store)["get"] is not type(store).get
    assert await store.get("k") == {"v": 1}
    assert store.get_statistics().get.count == 1
    assert await MemoryStore.keys(store) == ["p:k"]
    clone = pickle.loads(pickle.dumps(store))
    assert "get" not in vars(clone) and await clone.get("k") == {"v": 1}
    assert "get" not in vars(copy.copy(store))


async def test_a_subclass_override_of_a_decorated_class_is_not_shadowed() -> None:
    class Child(with_statistics(MemoryStore)):  # type: ignore[misc]
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            return {"from": "child"}

    store = Child()
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"from": "child"}
    assert store.get_statistics().put.count == 1


async def test_a_method_calling_its_own_decorated_method_gets_the_aspect_once() -> None:
    store = with_statistics(GatheringStore)()
    await store.put_many(["a", "b", "c"], [{"n": 1}, {"n": 2}, {"n": 3}])
    assert store.get_statistics().put.count == 3


async def test_reentrancy_guard_does_not_leak_across_concurrent_calls() -> None:
    store = with_statistics(GatheringStore)()
    await asyncio.gather(
        store.put_many(["a", "b"], [{"n": 1}, {"n": 2}]),
        store.put("c", {"n": 3}),
        store.put("d", {"n": 4}),
        *(store.get(k) for k in "abcd"),
    )
    assert store.get_statistics().put.count == 4
    assert store.get_statistics().get.count == 4


async def test_reentrancy_with_prefix_applies_the_prefix_once() -> None:
    store = prefix_keys("p")(GatheringStore)()
    await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
    assert sorted(await MemoryStore.keys(store)) == ["p:a", "p:b"]


def test_the_same_class_and_aspect_give_the_same_subclass() -> None:
    assert with_statistics(MemoryStore) is with_statistics(MemoryStore)
    assert prefix_keys("a")(MemoryStore) is not prefix_keys("b")(MemoryStore)


def test_decorating_a_class_that_is_not_a_store_fails_clearly() -> None:
    with pytest.raises(TypeError, match="not a key-value store"):
        with_statistics(dict)


async def test_decorated_instances_pickle() -> None:
    store = with_statistics(prefix_keys("p")(MemoryStore))()
    await store.put("k", {"v": 1})
    restored = pickle.loads(pickle.dumps(store))
    assert type(restored) is type(store)
    assert await restored.get("k") == {"v": 1}
    assert restored.get_statistics().put.count == 1


@with_statistics
@prefix_keys("sessions")
class SessionStore(MemoryStore):
    """Decorated where it is defined: its name now means the decorated class."""


async def test_instances_of_a_class_decorated_where_it_is_defined_pickle() -> None:
    store = SessionStore()
    await store.put("k", {"v": 1})
    restored = pickle.loads(pickle.dumps(store))
    assert type(restored) is SessionStore
    assert await restored.get("k") == {"v": 1}
    assert restored.get_statistics().put.count == 1


# -- the instance path ------------------------------------------------------------------


def test_wrapping_an_instance_gives_a_transparent_proxy() -> None:
    inner = ExtraStore()
    store = with_statistics(inner)
    assert isinstance(store, StatisticsWrapper)
    assert isinstance(store, ExtraStore)
    assert isinstance(store, AsyncKeyValue)
    assert store.__wrapped__ is inner
    assert store.describe() == "store in eu"
    assert store == inner


def test_attribute_assignment_reaches_the_store() -> None:
    inner = ExtraStore()
    store = prefix_keys("p")(inner)
    store.region = "us"
    assert inner.region == "us"


async def test_instance_path_applies_the_aspect() -> None:
    inner = MemoryStore()
    store = PrefixKeysWrapper(key_value=inner, prefix="app1")
    await store.put("user:123", {"name": "Alice"}, collection="users")
    assert await inner.keys("users") == ["app1:user:123"]
    assert await store.get("user:123", collection="users") == {"name": "Alice"}


async def test_capabilities_pass_through_three_wrappers() -> None:
    inner = MemoryStore()
    store = with_statistics(prefix_keys("a")(with_statistics(inner)))
    await store.put("k", {"v": 1}, collection="c")
    assert await store.keys("c") == ["k"]
    assert await store.collections() == ["c"]
    assert await store.destroy_collection("c") is True
    assert await inner.keys("c") == []


async def test_a_capability_the_store_lacks_stays_absent() -> None:
    class Minimal:
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            return None

        async def put(self, key: str, value: Any, **_: Any) -> None:
            return None

        async def delete(self, key: str, *, collection: str | None = None) -> bool:
            return False

    with pytest.raises(TypeError, match=r"adapt\(store\)"):
        with_statistics(Minimal())
    store = with_statistics(adapt(Minimal()))
    assert not hasattr(store, "keys")
    assert not hasattr(store, "destroy")


async def test_async_with_gives_back_the_wrapper() -> None:
    store = with_statistics(prefix_keys("p")(MemoryStore()))
    async with store as entered:
        assert entered is store


async def test_wrapped_instances_pickle_with_their_state() -> None:
    store = with_statistics(prefix_keys("p")(MemoryStore()))
    await store.put("k", {"v": 1})
    restored = pickle.loads(pickle.dumps(store))
    assert isinstance(restored, StatisticsWrapper)
    assert await restored.get("k") == {"v": 1}
    assert restored.get_statistics().put.count == 1
    assert layers(restored) == layers(store)


async def test_wrapped_instances_copy() -> None:
    store = prefix_keys("p")(MemoryStore())
    await store.put("k", {"v": 1})
    deep = copy.deepcopy(store)
    await deep.put("k", {"v": 2})
    assert await store.get("k") == {"v": 1}
    assert copy.copy(store).__wrapped__ is store.__wrapped__


def test_wrapping_a_non_store_fails_clearly() -> None:
    with pytest.raises(TypeError, match="is not one"):
        with_statistics(object())


# -- stacking and introspection ---------------------------------------------------------


async def test_instance_stacking_order_is_execution_order() -> None:
    journal: list[str] = []
    store = trace("outer", journal)(trace("inner", journal)(MemoryStore()))
    await store.get("k")
    assert journal == ["outer>", "inner>", "<inner", "<outer"]


async def test_class_stacking_order_is_execution_order() -> None:
    journal: list[str] = []

    @trace("outer", journal)
    @trace("inner", journal)
    class Traced(MemoryStore):
        pass

    await Traced().get("k")
    assert journal == ["outer>", "inner>", "<inner", "<outer"]


def test_layers_lists_aspects_from_the_outside_in() -> None:
    @with_statistics
    class Counted(MemoryStore):
        pass

    store = prefix_keys("a")(Counted())
    assert [repr(a) for a in layers(store)] == [
        "prefix_keys(prefix='a', separator=':')",
        "with_statistics()",
    ]


def test_unwrap_finds_the_innermost_store() -> None:
    inner = MemoryStore()
    assert unwrap(with_statistics(prefix_keys("a")(inner))) is inner
    assert unwrap(inner) is inner


def test_aspects_are_values() -> None:
    first, second = prefix_keys("a").aspect, prefix_keys("a").aspect
    assert first == second and hash(first) == hash(second)
    assert pickle.loads(pickle.dumps(first)) == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.prefix = "b"  # type: ignore[misc]


# -- re-entry: a store method that calls its own decorated methods ------------------------

FERNET = Fernet(Fernet.generate_key())


class FillingStore(MemoryStore):
    """A read-through store: a miss is filled with ``self.put`` from inside ``get``."""

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        found = await super().get(key, collection=collection)
        if found is None:
            found = {"filled": key}
            await self.put(key, found, collection=collection)
        return found


class LoopingStore(MemoryStore):
    """A bulk write written as a loop of single writes."""

    async def put_many(  # type: ignore[override]
        self,
        keys: Sequence[str],
        values: Sequence[Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> None:
        for key, value in zip(keys, values):
            await self.put(key, value, collection=collection, ttl=ttl)


class SpawningStore(MemoryStore):
    """A bulk write that leaves a follow-up write to a task that outlives it."""

    follow_up: asyncio.Task[None] | None = None

    async def put_many(  # type: ignore[override]
        self,
        keys: Sequence[str],
        values: Sequence[Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> None:
        await MemoryStore.put_many(self, keys, values, collection=collection, ttl=ttl)
        started = asyncio.Event()

        async def later() -> None:
            await started.wait()
            await self.put("later", {"secret": "after"}, collection=collection)

        self.follow_up = asyncio.create_task(later())
        started.set()


def stored(store: MemoryStore, key: str) -> Any:
    """What the undecorated store holds under ``key``, bypassing every layer."""
    return MemoryStore.get(store, key)


async def test_a_write_made_inside_a_read_still_goes_through_the_layer() -> None:
    store = encrypted(FERNET)(FillingStore)()
    assert await store.get("k") == {"filled": "k"}
    raw = await stored(store, "k")
    assert "__encrypted_data__" in raw and "filled" not in json.dumps(raw)
    assert await store.get("k") == {"filled": "k"}


async def test_a_bulk_write_made_of_single_writes_is_transformed_exactly_once() -> None:
    for layer in (encrypted(FERNET), compressed(min_size_to_compress=0)):
        store = layer(LoopingStore)()
        await store.put_many(["a", "b"], [{"n": 1}, {"n": 2}])
        assert await store.get_many(["a", "b"]) == [{"n": 1}, {"n": 2}]
        assert "n" not in await stored(store, "a")


async def test_a_task_started_inside_a_call_is_not_part_of_it_after_it_returns() -> None:
    store = encrypted(FERNET)(SpawningStore)()
    await store.put_many(["a"], [{"n": 1}])
    assert store.follow_up is not None
    await asyncio.wait_for(store.follow_up, timeout=30)
    raw = await stored(store, "later")
    assert "__encrypted_data__" in raw and "after" not in json.dumps(raw)
    assert await store.get("later") == {"secret": "after"}


async def test_a_read_inside_a_write_is_counted_and_the_write_once() -> None:
    class CheckingStore(MemoryStore):
        async def put(self, key: str, value: Any, **options: Any) -> None:  # type: ignore[override]
            await self.get(key, collection=options.get("collection"))
            await MemoryStore.put(self, key, value, **options)

    store = with_statistics(CheckingStore)()
    await store.put("k", {"v": 1})
    statistics = store.get_statistics()
    assert (statistics.put.count, statistics.get.count) == (1, 1)


async def test_a_class_stack_runs_as_one_chain_over_the_undecorated_class() -> None:
    class Failing(MemoryStore):
        async def put(self, key: str, value: Any, **options: Any) -> None:  # type: ignore[override]
            raise RuntimeError("refused")

    journal: list[str] = []
    stacked = trace("outer", journal)(trace("middle", journal)(trace("inner", journal)(Failing)))
    with pytest.raises(RuntimeError) as raised:
        await stacked().put("k", {"v": 1})
    assert journal == ["outer>", "middle>", "inner>"]
    # One entry into the engine for the whole stack, not one per decorated class.
    entries = [
        frame
        for frame in traceback.extract_tb(raised.value.__traceback__)
        if frame.name in {"guarded", "dispatch"}
    ]
    assert len(entries) == 1
    assert [a.name for a in layers(stacked())] == ["outer", "middle", "inner"]  # type: ignore[attr-defined]


def test_the_class_path_error_for_an_incomplete_store_points_at_adapt() -> None:
    class Partial:
        async def get(self, key: str, *, collection: str | None = None) -> Any:
            return None

    with pytest.raises(TypeError, match=r"kvdeco\.adapt\("):
        with_statistics(Partial)


def test_a_generated_class_keeps_its_name_and_shows_its_layers() -> None:
    stacked = with_statistics(prefix_keys("app")(ExtraStore))
    assert stacked.__name__ == "ExtraStore"
    shown = [repr(cls) for cls in stacked.__mro__[:3]]
    assert "with_statistics(), prefix_keys(prefix='app'" in shown[0]
    assert "prefix_keys(prefix='app'" in shown[1] and "with_statistics" not in shown[1]
    assert shown[2] == repr(ExtraStore) and " with " not in shown[2]


@dataclasses.dataclass(frozen=True, repr=False)
class CountsCalls(Aspect):
    """Records the name of every operation that reaches it."""

    label: ClassVar[str] = "counts_calls"
    seen: list[str] = dataclasses.field(compare=False, hash=False, repr=False)

    def around(self, call: Call, proceed: Proceed) -> Any:
        self.seen.append(call.op.name)
        return proceed(call)


@pytest.mark.parametrize("kind", ["memory", "disk"])
async def test_kvdeco_stores_never_call_their_own_operations(kind: str, tmp_path: Any) -> None:
    # The class path skips the re-entry mark for kvdeco's own stores on this promise: were a
    # method to call another through self, the layer would see that call twice.
    from kvdeco import DiskStore

    seen: list[str] = []
    layer = Decorator(CountsCalls(seen), AspectWrapper)
    store = layer(MemoryStore)() if kind == "memory" else layer(DiskStore)(tmp_path / "db")
    calls: list[tuple[str, Any]] = [
        ("put", lambda: store.put("a", {"n": 1}, ttl=60)),
        ("put_many", lambda: store.put_many(["b", "c"], [{"n": 2}, {"n": 3}])),
        ("get", lambda: store.get("a")),
        ("ttl", lambda: store.ttl("a")),
        ("get_many", lambda: store.get_many(["a", "b"])),
        ("ttl_many", lambda: store.ttl_many(["a", "b"])),
        ("keys", lambda: store.keys()),
        ("collections", lambda: store.collections()),
        ("delete", lambda: store.delete("a")),
        ("delete_many", lambda: store.delete_many(["b"])),
        ("destroy_collection", lambda: store.destroy_collection("default")),
        ("cull", lambda: store.cull()),
        ("destroy", lambda: store.destroy()),
    ]
    for name, make in calls:
        seen.clear()
        await make()
        assert seen == [name]
    close = getattr(store, "close", None)
    if close is not None:
        await close()
