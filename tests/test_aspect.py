"""Aspects: immutable values that say what a layer changes, applied the same on both paths."""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
from typing import Any, ClassVar

import pytest

from kvdeco import Aspect, Call, MemoryStore, layers
from kvdeco.aspect import failed
from kvdeco.decorating import Decorator
from kvdeco.operations import GET, Proceed
from kvdeco.wrappers.base import AspectWrapper


@dataclasses.dataclass(frozen=True, repr=False)
class Tally(Aspect):
    """Counts the calls of each store it is bound to; offers the count on the store."""

    label: ClassVar[str] = "tally"
    exposed: ClassVar[tuple[str, ...]] = ("tally",)
    step: int = 1

    def bind(self) -> TallyRuntime:
        return TallyRuntime(self.step)


class TallyRuntime:
    def __init__(self, step: int) -> None:
        self.step = step
        self.tally = 0

    async def around(self, call: Call, proceed: Proceed) -> Any:
        self.tally += self.step
        return await proceed(call)


def test_an_aspect_is_a_value_with_a_repr_like_its_call() -> None:
    assert Tally(2) == Tally(2) and hash(Tally(2)) == hash(Tally(2)) and Tally(2) != Tally(3)
    assert repr(Tally(2)) == "tally(step=2)"
    assert pickle.loads(pickle.dumps(Tally(2))) == Tally(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Tally(2).step = 3  # type: ignore[misc]


def test_the_default_around_passes_the_call_on_and_binds_to_itself() -> None:
    aspect = Aspect()
    assert aspect.bind() is aspect
    seen: list[Call] = []

    async def proceed(call: Call) -> str:
        seen.append(call)
        return "inner"

    call = Call(GET, ("k",))
    assert asyncio.run(aspect.around(call, proceed)) == "inner"  # type: ignore[arg-type]
    assert seen == [call]


@pytest.mark.parametrize("path", ["class", "instance"])
async def test_each_store_gets_its_own_runtime_and_its_exposed_names(path: str) -> None:
    decorator = Decorator(Tally(2), AspectWrapper)
    if path == "class":
        first, second = decorator(MemoryStore)(), decorator(MemoryStore)()
    else:
        first, second = decorator(MemoryStore()), decorator(MemoryStore())
    await first.get("a")
    await first.get("b")
    await second.get("a")
    assert (first.tally, second.tally) == (4, 2)  # type: ignore[attr-defined]


async def test_failed_raises_when_awaited_not_when_made() -> None:
    pending = failed(KeyError("k"))
    with pytest.raises(KeyError):
        await pending


@dataclasses.dataclass(frozen=True, repr=False)
class _Named(Aspect):
    """Fills in a default from the store it is applied to."""

    label: ClassVar[str] = "named"
    name: str | None = None

    def applied_to(self, target: Any) -> Aspect:
        if self.name is not None:
            return self
        cls = target if isinstance(target, type) else type(target)
        return dataclasses.replace(self, name=cls.__name__)


def test_each_path_applies_what_the_aspect_makes_of_its_target() -> None:
    decorator = Decorator(_Named(), AspectWrapper)
    assert layers(decorator(MemoryStore)())[0] == _Named(name="MemoryStore")
    assert layers(decorator(MemoryStore()))[0] == _Named(name="MemoryStore")
    assert layers(AspectWrapper(MemoryStore(), _Named()))[0] == _Named(name="MemoryStore")
    assert layers(Decorator(_Named(name="given"), AspectWrapper)(MemoryStore()))[0].name == "given"
