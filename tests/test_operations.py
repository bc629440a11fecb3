"""Operations as data: each one's shape, the calls aspects see, and the generated methods."""

from __future__ import annotations

import asyncio
import inspect
import traceback
from typing import Any

import pytest

from kvdeco import MemoryStore, with_retry, with_statistics
from kvdeco.operations import (
    CAPABILITIES,
    GET,
    OPERATIONS,
    PROTOCOL_OPERATIONS,
    PUT,
    PUT_MANY,
    Call,
    Kind,
    chain_entries,
    operation_methods,
)
from kvdeco.protocols import AsyncKeyValue, SupportsKeys


def test_the_protocol_operations_are_the_eight_of_async_key_value() -> None:
    members = vars(AsyncKeyValue).items()
    protocol = {name for name, member in members if inspect.iscoroutinefunction(member)}
    assert {op.name for op in PROTOCOL_OPERATIONS} == protocol
    assert not any(op.capability for op in PROTOCOL_OPERATIONS)
    assert all(op.capability for op in CAPABILITIES)
    assert set(OPERATIONS) == protocol | {op.name for op in CAPABILITIES}


def test_each_operation_says_what_it_does() -> None:
    assert OPERATIONS["get_many"].many and OPERATIONS["get_many"].kind is Kind.READ
    assert OPERATIONS["ttl"].with_ttl and not OPERATIONS["get"].with_ttl
    assert PUT.is_write and OPERATIONS["delete_many"].is_write and not GET.is_write
    assert OPERATIONS["keys"].kind is Kind.LIST and OPERATIONS["cull"].kind is Kind.ADMIN


def test_call_replace_copies_and_leaves_the_original_alone() -> None:
    call = Call(PUT, ("k",), "c", ({"v": 1},), 5)
    changed = call.replace(ttl=60, keys=("p:k",))
    assert (changed.op, changed.keys, changed.collection, changed.values, changed.ttl) == (
        PUT,
        ("p:k",),
        "c",
        ({"v": 1},),
        60,
    )
    assert (call.keys, call.ttl) == (("k",), 5)


def test_a_call_repr_never_shows_values() -> None:
    shown = repr(Call(PUT, ("k",), None, ({"secret": "hunter2"},)))
    assert "hunter2" not in shown and "'k'" in shown


def test_generated_methods_carry_the_protocol_signature_and_docstring() -> None:
    methods = operation_methods(lambda store: None, "chain", _pass)
    for name in ("get", "put_many"):
        assert inspect.signature(methods[name]) == inspect.signature(getattr(AsyncKeyValue, name))
        assert methods[name].__doc__ == getattr(AsyncKeyValue, name).__doc__
        assert asyncio.iscoroutinefunction(methods[name])
    assert inspect.signature(methods["keys"]) == inspect.signature(SupportsKeys.keys)


def test_a_decorated_class_and_a_proxy_show_the_real_signature() -> None:
    decorated = with_retry()(MemoryStore)
    proxy_class = type(with_statistics(MemoryStore()))
    for owner in (decorated, proxy_class):
        shown = str(inspect.signature(owner.put))
        assert "value: 'Mapping[str, Any]'" in shown and "ttl: 'SupportsFloat | None'" in shown


def test_an_entry_takes_its_arguments_as_the_protocol_declares_them() -> None:
    entries = chain_entries({name: (_pass, _pass) for name in OPERATIONS})
    assert inspect.signature(entries["put"]) == inspect.signature(AsyncKeyValue.put).replace(
        parameters=list(inspect.signature(AsyncKeyValue.put).parameters.values())[1:]
    )
    with pytest.raises(TypeError):
        entries["get"]("k", "collection given by position")


def _pass(call: Call, proceed: Any = None) -> Any:
    return asyncio.sleep(0)


def test_every_operation_builds_the_call_its_arguments_describe() -> None:
    seen: list[Call] = []

    def around(call: Call, proceed: Any) -> Any:
        seen.append(call)
        return proceed(call)

    entries = chain_entries({name: (around, lambda call: asyncio.sleep(0)) for name in OPERATIONS})

    async def run() -> None:
        await entries["put_many"](["a", "b"], [{"x": 1}, {"x": 2}], collection="c", ttl=9)
        await entries["keys"]("c", limit=3)
        await entries["destroy_collection"]("c")

    asyncio.run(run())
    put_many, keys, destroy_collection = seen
    assert put_many.op is PUT_MANY and list(put_many.keys) == ["a", "b"]
    assert list(put_many.values or ()) == [{"x": 1}, {"x": 2}]
    assert (put_many.collection, put_many.ttl) == ("c", 9)
    assert (keys.collection, keys.limit) == ("c", 3)
    assert destroy_collection.collection == "c"


@pytest.mark.asyncio
async def test_invoke_passes_a_call_to_a_store_as_its_arguments() -> None:
    store = MemoryStore()
    await PUT_MANY.invoke(store, Call(PUT_MANY, ["a", "b"], "c", [{"n": 1}, {"n": 2}], None))
    assert await store.get_many(["a", "b"], collection="c") == [{"n": 1}, {"n": 2}]
    assert await OPERATIONS["keys"].invoke(store, Call(OPERATIONS["keys"], (), "c", limit=1))


def test_generated_code_shows_in_tracebacks_with_its_source() -> None:
    def around(call: Call, proceed: Any) -> Any:
        raise RuntimeError("boom")

    entries = chain_entries({name: (around, around) for name in OPERATIONS})
    with pytest.raises(RuntimeError) as raised:
        entries["get"]("k")
    frames = traceback.extract_tb(raised.value.__traceback__)
    generated = [frame for frame in frames if "kvdeco generated" in frame.filename]
    assert generated and "return around_get(Call(GET" in (generated[0].line or "")
