"""ValueCodec: encode each value on the way in, decode on the way out, bulk calls kept bulk."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from kvdeco import InvalidKeyError, MemoryStore, SerializationError, ValueCodec
from kvdeco.decorating import Decorator
from kvdeco.wrappers.base import AspectWrapper


@dataclasses.dataclass(frozen=True, repr=False)
class Boxed(ValueCodec):
    """Stores ``{"box": value, "at": key}``; an entry boxed for another key reads as a miss."""

    label: ClassVar[str] = "boxed"

    def encode(
        self, value: Mapping[str, Any], key: str, collection: str | None, op: str
    ) -> Mapping[str, Any]:
        return {"box": dict(value), "at": key}

    def decode(
        self, stored: dict[str, Any], key: str, collection: str | None
    ) -> dict[str, Any] | None:
        return stored["box"] if stored.get("at") == key else None


@pytest.fixture(params=["class", "instance"])
def pair(request: pytest.FixtureRequest) -> tuple[Any, MemoryStore]:
    layer = Decorator(Boxed(), AspectWrapper)
    if request.param == "class":
        store = layer(MemoryStore)()
        return store, store
    inner = MemoryStore()
    return layer(inner), inner


async def test_every_write_is_encoded_and_every_read_decoded(pair: tuple[Any, Any]) -> None:
    store, _ = pair
    await store.put("a", {"n": 1})
    await store.put_many(["b", "c"], [{"n": 2}, {"n": 3}], ttl=100)
    assert await store.get("a") == {"n": 1}
    assert await store.get_many(["a", "b", "missing"]) == [{"n": 1}, {"n": 2}, None]
    value, ttl = await store.ttl("b")
    assert value == {"n": 2} and ttl is not None and 0 < ttl <= 100
    assert [v for v, _ in await store.ttl_many(["c", "missing"])] == [{"n": 3}, None]
    assert await MemoryStore.get(store if isinstance(store, MemoryStore) else pair[1], "a") == {
        "box": {"n": 1},
        "at": "a",
    }


async def test_a_value_that_does_not_decode_reads_as_a_miss(pair: tuple[Any, Any]) -> None:
    store, inner = pair
    await MemoryStore.put(inner, "moved", {"box": {"n": 1}, "at": "elsewhere"})
    assert await store.get("moved") is None
    assert await store.ttl("moved") == (None, None)
    assert await store.ttl_many(["moved"]) == [(None, None)]


async def test_a_bad_bulk_write_is_refused_before_anything_is_encoded(
    pair: tuple[Any, Any],
) -> None:
    store, _ = pair
    with pytest.raises(SerializationError):
        await store.put_many(["a", "b"], [{"n": 1}, {"n": object()}])
    with pytest.raises((InvalidKeyError, TypeError)):
        await store.put_many("ab", [{"n": 1}, {"n": 2}])
    assert await store.get_many(["a", "b"]) == [None, None]


async def test_deletes_pass_through_untouched(pair: tuple[Any, Any]) -> None:
    store, _ = pair
    await store.put("a", {"n": 1})
    assert await store.delete("a") is True
    assert await store.delete_many(["a"]) == 0
