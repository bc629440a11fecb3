"""Static types of the resilience, routing and caching decorators, checked by ``mypy --strict``.

Each decorator is pinned on both paths: a decorated class stays ``type[ThatClass]``, a
decorated instance keeps its own type, and called with options it is a ``Decorator`` of its
wrapper class. Run, the module only builds objects; the checks that matter are the type
checker's.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from kvdeco import (
    CircuitBreakerWrapper,
    CollectionRoutingWrapper,
    Decorator,
    DefaultValueWrapper,
    FailOpenWrapper,
    FallbackWrapper,
    MemoryStore,
    MetricsWrapper,
    PassthroughCacheWrapper,
    RoutingWrapper,
    SingleCollectionWrapper,
    SingleFlightWrapper,
    TracingWrapper,
    fail_open,
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
from kvdeco.wrappers.circuit_breaker import Circuit
from kvdeco.wrappers.fail_open import AbsorbedErrors

store = MemoryStore()
other = MemoryStore()


def nowhere(collection: str | None) -> Any:
    """A routing function that sends every collection to the default store."""
    return None


# -- used bare: the class path and the instance path keep their types -----------------------


@traced
@metered
@with_circuit_breaker
@fail_open
@single_flight
@single_collection
class BareStore(MemoryStore):
    """Every decorator of this group whose options all default, used bare."""


assert_type(BareStore(), BareStore)
assert_type(traced(MemoryStore), type[MemoryStore])
assert_type(traced(store), MemoryStore)
assert_type(metered(store), MemoryStore)
assert_type(with_circuit_breaker(store), MemoryStore)
assert_type(fail_open(store), MemoryStore)
assert_type(single_flight(store), MemoryStore)
assert_type(single_collection(store), MemoryStore)


# -- called with options: a Decorator of the wrapper class, then the target's own type -------

assert_type(traced(record_keys=True), Decorator[TracingWrapper])
assert_type(traced(system="cache")(MemoryStore), type[MemoryStore])
assert_type(traced(record_keys=True)(store), MemoryStore)
assert_type(metered(system="cache"), Decorator[MetricsWrapper])
assert_type(metered()(MemoryStore), type[MemoryStore])
assert_type(metered(meter_provider=None)(store), MemoryStore)
assert_type(with_circuit_breaker(failure_threshold=3), Decorator[CircuitBreakerWrapper])
assert_type(with_circuit_breaker(failure_rate=0.5)(MemoryStore), type[MemoryStore])
assert_type(with_circuit_breaker(recovery_timeout=10)(store), MemoryStore)
assert_type(fail_open(absorb=(ConnectionError,)), Decorator[FailOpenWrapper])
assert_type(fail_open()(MemoryStore), type[MemoryStore])
assert_type(fail_open()(store), MemoryStore)
assert_type(with_fallback(other, write_to_fallback=True), Decorator[FallbackWrapper])
assert_type(with_fallback(other)(MemoryStore), type[MemoryStore])
assert_type(with_fallback(other, fallback_on=(OSError,))(store), MemoryStore)
assert_type(passthrough_cache(other, negative_ttl=30), Decorator[PassthroughCacheWrapper])
assert_type(passthrough_cache(other)(MemoryStore), type[MemoryStore])
assert_type(passthrough_cache(other, maximum_ttl=60)(store), MemoryStore)
assert_type(single_flight(), Decorator[SingleFlightWrapper])
assert_type(single_flight()(MemoryStore), type[MemoryStore])
assert_type(single_flight()(store), MemoryStore)
assert_type(routed(nowhere, stores=[other]), Decorator[RoutingWrapper])
assert_type(routed(nowhere)(MemoryStore), type[MemoryStore])
assert_type(routed(nowhere)(store), MemoryStore)
assert_type(route_collections({"sessions": other}), Decorator[CollectionRoutingWrapper])
assert_type(route_collections({"sessions": other})(MemoryStore), type[MemoryStore])
assert_type(route_collections({"sessions": other})(store), MemoryStore)
assert_type(with_default({"theme": "light"}, default_ttl=60), Decorator[DefaultValueWrapper])
assert_type(with_default({"theme": "light"})(MemoryStore), type[MemoryStore])
assert_type(with_default({"theme": "light"})(store), MemoryStore)
assert_type(single_collection("all", separator="__"), Decorator[SingleCollectionWrapper])
assert_type(single_collection("all")(MemoryStore), type[MemoryStore])
assert_type(single_collection(default_collection="main")(store), MemoryStore)


def rejected_options() -> None:
    """Options are the aspect's own fields: a misspelt or mistyped one is a type error.

    Never called: each line would raise. mypy's ``warn_unused_ignores`` fails the check if
    any of them stops being an error.
    """
    traced(record_key=True)  # type: ignore[call-overload]
    metered(systems="cache")  # type: ignore[call-overload]
    with_circuit_breaker(failure_treshold=3)  # type: ignore[call-overload]
    with_circuit_breaker(3)  # type: ignore[call-overload]
    fail_open(absorbs=(OSError,))  # type: ignore[call-overload]
    with_fallback(other, write_to_fallbak=True)  # type: ignore[call-arg]
    with_fallback(other, (OSError,))  # type: ignore[call-arg]
    passthrough_cache(other, maximum_tll=60)  # type: ignore[call-arg]
    single_flight(wait=True)  # type: ignore[call-overload]
    routed(nowhere, store=[other])  # type: ignore[call-arg]
    route_collections(["sessions"])  # type: ignore[arg-type]
    with_default({"theme": "light"}, ttl=60)  # type: ignore[call-arg]
    single_collection("all", seperator="__")  # type: ignore[call-overload]


# -- wrapper classes, in py-key-value's spelling -----------------------------------------

assert_type(TracingWrapper(store, record_keys=True), TracingWrapper)
assert_type(MetricsWrapper(store, system="cache"), MetricsWrapper)
assert_type(CircuitBreakerWrapper(store, 3, 10.0), CircuitBreakerWrapper)
assert_type(FailOpenWrapper(store, (ConnectionError,)), FailOpenWrapper)
assert_type(FallbackWrapper(store, other, write_to_fallback=True), FallbackWrapper)
assert_type(PassthroughCacheWrapper(other, store, stale_ttl=60), PassthroughCacheWrapper)
assert_type(SingleFlightWrapper(store), SingleFlightWrapper)
assert_type(RoutingWrapper(nowhere, store, stores=[other]), RoutingWrapper)
assert_type(CollectionRoutingWrapper({"sessions": other}, store), CollectionRoutingWrapper)
assert_type(DefaultValueWrapper(store, {"theme": "light"}, 60), DefaultValueWrapper)
assert_type(SingleCollectionWrapper(store, "all", separator="__"), SingleCollectionWrapper)


# -- what a layer exposes, typed ------------------------------------------------------------

assert_type(CircuitBreakerWrapper(store).circuit, Circuit)
assert_type(FailOpenWrapper(store).fail_open, AbsorbedErrors)
assert_type(PassthroughCacheWrapper(other, store).refresh_failures, int)
