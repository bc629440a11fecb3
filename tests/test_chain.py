"""The chain: per operation, only the layers that handle it, then the store; and re-entry."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, ClassVar

import pytest

from kvdeco import Aspect, Call
from kvdeco._chain import Chain, guarded, handles
from kvdeco.operations import GET, PUT, Proceed


@dataclasses.dataclass(frozen=True)
class _Tag(Aspect):
    """Appends its name to the call's collection, for the operations it names."""

    label: ClassVar[str] = "tag"
    name: str = "t"
    names: frozenset[str] | None = None

    @property
    def operations(self) -> frozenset[str] | None:  # type: ignore[override]
        return self.names

    def around(self, call: Call, proceed: Proceed) -> Any:
        return proceed(call.replace(collection=f"{call.collection or ''}/{self.name}"))


def _terminal(seen: list[Call]) -> Proceed:
    async def terminal(call: Call) -> Any:
        seen.append(call)
        return call.collection

    return terminal


def test_a_runtime_handles_what_its_operations_name_or_everything() -> None:
    assert handles(_Tag(), "get") and handles(_Tag(names=frozenset({"put"})), "put")
    assert not handles(_Tag(names=frozenset({"put"})), "get")


@pytest.mark.asyncio
async def test_layers_run_outermost_first_and_skip_what_they_do_not_handle() -> None:
    seen: list[Call] = []
    layers = (_Tag("a"), _Tag("b", frozenset({"put"})), _Tag("c"))
    chain = Chain(layers, layers, _terminal(seen))
    around, proceed = chain.entries["get"]
    assert await around(Call(GET, ("k",)), proceed) == "/a/c"
    around, proceed = chain.entries["put"]
    assert await around(Call(PUT, ("k",), None, ({},)), proceed) == "/a/b/c"


@pytest.mark.asyncio
async def test_an_operation_no_layer_handles_goes_straight_to_the_store() -> None:
    seen: list[Call] = []
    only_puts = (_Tag("p", frozenset({"put"})),)
    chain = Chain(only_puts, only_puts, _terminal(seen))
    around, proceed = chain.entries["get"]
    assert proceed is chain.terminal
    assert await around(Call(GET, ("k",)), proceed) is None and len(seen) == 1


@pytest.mark.asyncio
async def test_a_call_of_the_same_kind_on_the_same_store_inside_one_is_not_run_twice() -> None:
    seen: list[Call] = []
    store = object()
    chain: Chain

    async def reentering(call: Call) -> Any:
        seen.append(call)
        if len(seen) == 1:  # the store's own method calls the same kind of operation again
            await guarded(chain, store, Call(GET, ("inner",)))
            await guarded(chain, object(), Call(GET, ("other store",)))
        return call.collection

    chain = Chain((_Tag("x"),), (_Tag("x"),), reentering)
    assert await guarded(chain, store, Call(GET, ("outer",))) == "/x"
    collections = {call.keys[0]: call.collection for call in seen}
    # The re-entry skipped the layer; the call on another store did not.
    assert collections == {"outer": "/x", "inner": None, "other store": "/x"}


@pytest.mark.asyncio
async def test_a_task_that_outlives_its_call_is_outside_it() -> None:
    seen: list[Call] = []
    store = object()
    later: list[asyncio.Task[Any]] = []
    chain: Chain

    async def spawning(call: Call) -> Any:
        seen.append(call)
        if len(seen) == 1:
            later.append(asyncio.ensure_future(guarded(chain, store, Call(GET, ("later",)))))
        return call.collection

    chain = Chain((_Tag("y"),), (_Tag("y"),), spawning)
    await guarded(chain, store, Call(GET, ("first",)))
    assert await later[0] == "/y"
