"""The resilience, routing and caching decorators, derived from their aspects as the others are.

Bare and called use build the same layer, the options are the aspect's own fields with the
same keyword-only ones as before, and each decorator names itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from kvdeco import (
    MemoryStore,
    fail_open,
    layers,
    metered,
    passthrough_cache,
    route_collections,
    routed,
    single_collection,
    single_flight,
    traced,
    with_circuit_breaker,
    with_default,
    with_fallback,
)
from kvdeco.wrappers.circuit_breaker import CircuitBreaker
from kvdeco.wrappers.default_value import DefaultValue
from kvdeco.wrappers.fallback import Fallback
from kvdeco.wrappers.passthrough_cache import PassthroughCache
from kvdeco.wrappers.single_collection import SingleCollection

OTHER = MemoryStore()

BARE = {
    "traced": traced,
    "metered": metered,
    "with_circuit_breaker": with_circuit_breaker,
    "fail_open": fail_open,
    "single_flight": single_flight,
    "single_collection": single_collection,
}

CALLED_ONLY = {
    "with_fallback": with_fallback,
    "passthrough_cache": passthrough_cache,
    "routed": routed,
    "route_collections": route_collections,
    "with_default": with_default,
}


@pytest.mark.parametrize("name", sorted(BARE))
def test_bare_and_called_use_build_the_same_layer_on_both_paths(name: str) -> None:
    decorator = BARE[name]
    assert layers(decorator(MemoryStore())) == layers(decorator()(MemoryStore()))
    assert layers(decorator(MemoryStore)()) == layers(decorator()(MemoryStore)())


@pytest.mark.parametrize("name", sorted({**BARE, **CALLED_ONLY}))
def test_each_decorator_names_itself(name: str) -> None:
    decorator: Any = {**BARE, **CALLED_ONLY}[name]
    assert decorator.__name__ == name
    assert repr(decorator) == f"<decorator {name}>"
    assert "Decorate a store class or instance" in decorator.__doc__


def test_the_options_are_the_aspects_fields() -> None:
    assert with_circuit_breaker(window=5).aspect == CircuitBreaker(window=5)
    assert with_fallback(OTHER, write_to_fallback=True).aspect == Fallback(
        OTHER, write_to_fallback=True
    )
    assert passthrough_cache(OTHER, stale_ttl=9).aspect == PassthroughCache(OTHER, stale_ttl=9)
    assert with_default({"a": 1}, default_ttl=5).aspect == DefaultValue({"a": 1}, default_ttl=5)
    assert single_collection("all").aspect == SingleCollection("all")


@pytest.mark.parametrize(
    "call",
    [
        lambda: with_fallback(OTHER, (OSError,)),
        lambda: passthrough_cache(OTHER, 60),
        lambda: routed(lambda c: None, [OTHER]),
        lambda: with_default({"a": 1}, 5),
        lambda: single_collection("all", "__"),
        lambda: with_circuit_breaker(3, 10),
    ],
    ids=["fallback", "passthrough_cache", "routed", "with_default", "single_collection", "cb"],
)
def test_options_after_the_first_stay_keyword_only(call: Any) -> None:
    with pytest.raises(TypeError):
        call()


def test_a_decorator_whose_first_option_is_a_store_is_not_taken_for_bare_use() -> None:
    with pytest.raises(TypeError, match="fallback wraps a store instance"):
        with_fallback(MemoryStore)
    with pytest.raises(TypeError, match="cache wraps a store instance"):
        passthrough_cache(MemoryStore)


def test_a_collection_name_is_an_option_and_a_store_a_target() -> None:
    assert layers(single_collection("all")(MemoryStore()))[0] == SingleCollection("all")
    assert layers(single_collection(MemoryStore()))[0] == SingleCollection()
