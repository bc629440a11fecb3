"""A stack of decorators as a value: the same as nesting them, on both paths."""

from __future__ import annotations

import pickle

import pytest
from cryptography.fernet import Fernet

from kvdeco import (
    MemoryStore,
    Stack,
    encrypted,
    layers,
    logged,
    prefix_keys,
    unwrap,
    with_retry,
    with_statistics,
)

fernet = Fernet(Fernet.generate_key())


def production() -> Stack:
    return with_statistics | with_retry(max_retries=2) | encrypted(fernet)


def test_a_stack_lists_its_layers_outermost_first_and_prints_as_written() -> None:
    stack = production()
    assert [d.aspect.label for d in stack] == ["with_statistics", "with_retry", "encrypted"]
    assert repr(stack).startswith("with_statistics() | with_retry(max_retries=2")
    assert repr(stack).count(" | ") == 2


def test_applied_to_a_class_it_equals_nesting_the_decorators() -> None:
    nested = with_statistics(with_retry(max_retries=2)(encrypted(fernet)(MemoryStore)))
    assert production()(MemoryStore) is nested  # the generated classes are shared


async def test_applied_to_an_instance_it_equals_nesting_the_decorators() -> None:
    inner = MemoryStore()
    store = production()(inner)
    nested = with_statistics(with_retry(max_retries=2)(encrypted(fernet)(MemoryStore())))
    assert layers(store) == layers(nested)
    assert unwrap(store) is inner
    await store.put("k", {"v": 1})
    assert await store.get("k") == {"v": 1}
    assert "v" not in (await inner.get("k") or {})  # stored encrypted underneath


def test_stacks_compose_reuse_and_compare_as_values() -> None:
    outer = logged | production()
    assert len(outer) == 4
    assert (logged() | production()) == outer
    assert hash(outer) == hash(logged() | production())
    assert outer | prefix_keys("app") == Stack(outer, prefix_keys("app"))
    first, second = production()(MemoryStore()), production()(MemoryStore())
    assert unwrap(first) is not unwrap(second)
    plain = with_statistics | with_retry(max_retries=2) | prefix_keys("app")
    assert pickle.loads(pickle.dumps(plain)) == plain


def test_only_decorators_go_into_a_stack() -> None:
    with pytest.raises(TypeError, match="made of kvdeco decorators"):
        production() | (lambda store: store)  # type: ignore[operator]
