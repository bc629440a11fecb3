"""What a layer exposes (its breaker, its counts) is there on both paths and on its wrapper class.

A wrapper class declares its aspect's ``exposed`` names as class attributes (so a subclass can
override one and call ``super()``); a decorated class offers the same names.
"""

from __future__ import annotations

from typing import Any

import pytest

from kvdeco import (
    CircuitBreakerWrapper,
    FailOpenWrapper,
    MemoryStore,
    PassthroughCacheWrapper,
    fail_open,
    passthrough_cache,
    with_circuit_breaker,
)
from kvdeco.decorating import Decorator
from kvdeco.wrappers.base import AspectWrapper
from kvdeco.wrappers.circuit_breaker import Circuit

CACHE = MemoryStore()

LAYERS: dict[str, tuple[Decorator[Any], type[AspectWrapper]]] = {
    "circuit_breaker": (with_circuit_breaker(), CircuitBreakerWrapper),
    "fail_open": (fail_open(), FailOpenWrapper),
    "passthrough_cache": (passthrough_cache(CACHE), PassthroughCacheWrapper),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_the_wrapper_class_declares_every_exposed_name(name: str) -> None:
    decorator, wrapper_class = LAYERS[name]
    exposed = decorator.aspect.exposed
    assert exposed
    assert all(isinstance(getattr(wrapper_class, each, None), property) for each in exposed)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_a_decorated_class_and_a_decorated_instance_expose_the_same_names(name: str) -> None:
    decorator, wrapper_class = LAYERS[name]
    decorated_class = decorator(MemoryStore)
    paths = {"class": decorated_class(), "instance": decorator(MemoryStore())}
    assert isinstance(paths["instance"], wrapper_class)
    for each in decorator.aspect.exposed:
        assert isinstance(getattr(decorated_class, each, None), property)
        values = {path: getattr(store, each) for path, store in paths.items()}
        assert type(values["class"]) is type(values["instance"]), each


def test_each_store_has_its_own_runtime_behind_the_exposed_names() -> None:
    one, two = CircuitBreakerWrapper(MemoryStore()), with_circuit_breaker(MemoryStore())
    assert isinstance(one.circuit, Circuit) and one.circuit is one.circuit
    assert one.circuit is not two.circuit


def test_a_wrapper_subclass_can_extend_an_exposed_name() -> None:
    class Watched(CircuitBreakerWrapper):
        @property
        def circuit(self) -> Circuit:
            breaker = super().circuit
            breaker.trials += 100
            return breaker

    assert Watched(MemoryStore()).circuit.trials == 100
