"""KeyMapper: a view renames keys and collections, and lists and destroys only what it sees."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest

from kvdeco import KeyMapper, MemoryStore
from kvdeco.decorating import Decorator
from kvdeco.keymap import check_separator_free
from kvdeco.wrappers.base import AspectWrapper


@dataclasses.dataclass(frozen=True, repr=False)
class Tenant(KeyMapper):
    """Keys of one tenant: ``<tenant>/<key>`` in the inner store."""

    label: ClassVar[str] = "tenant"
    name: str

    def inner_key(self, key: str, collection: str | None) -> str:
        return f"{self.name}/{key}"

    def outer_key(self, inner_key: str, collection: str | None) -> str | None:
        head, _, key = inner_key.partition("/")
        return key if head == self.name else None


def views() -> tuple[Any, Any, MemoryStore]:
    """Two tenants' views of one store instance, and that store."""
    inner = MemoryStore()
    a, b = Decorator(Tenant("a"), AspectWrapper), Decorator(Tenant("b"), AspectWrapper)
    return a(inner), b(inner), inner


async def test_two_views_of_one_store_never_see_each_other() -> None:
    first, second, inner = views()
    await first.put("k", {"owner": "a"})
    await second.put_many(["k", "j"], [{"owner": "b"}, {"owner": "b"}])
    assert await first.get("k") == {"owner": "a"}
    assert await second.get_many(["k", "j"]) == [{"owner": "b"}, {"owner": "b"}]
    assert sorted(await inner.keys()) == ["a/k", "b/j", "b/k"]
    assert await first.keys() == ["k"]
    assert sorted(await second.keys(limit=5)) == ["j", "k"]
    assert len(await second.keys(limit=1)) == 1


async def test_destroying_a_view_leaves_the_other_views_data() -> None:
    first, second, inner = views()
    await first.put("k", {"owner": "a"})
    await first.put("k", {"owner": "a"}, collection="other")
    await second.put("k", {"owner": "b"})
    assert await first.destroy_collection("other") is True
    assert await first.destroy_collection("other") is False
    assert await first.destroy() is True
    assert await first.get("k") is None
    assert await second.get("k") == {"owner": "b"}
    assert await inner.keys() == ["b/k"]


async def test_the_class_path_maps_keys_the_same_way() -> None:
    store = Decorator(Tenant("a"), AspectWrapper)(MemoryStore)()
    await store.put("k", {"v": 1})
    assert await MemoryStore.keys(store) == ["a/k"]
    assert await store.keys() == ["k"]
    assert await store.delete("k") is True


@pytest.mark.parametrize(("name", "separator"), [("a:b", ":"), ("a_", "__"), ("", "")])
def test_a_name_that_could_collide_with_the_separator_is_refused(name: str, separator: str) -> None:
    with pytest.raises(ValueError):
        check_separator_free(name, "prefix", separator)


def test_a_clean_name_is_accepted() -> None:
    assert check_separator_free("tenant", "prefix", ":") == "tenant"
    with pytest.raises(TypeError):
        check_separator_free(3, "prefix", ":")  # type: ignore[arg-type]
