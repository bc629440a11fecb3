"""The model check passes correct stores and stacks, and reports broken ones with a short
program that shows the defect."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from kvdeco import MemoryStore, prefix_keys, with_statistics
from kvdeco.testing import ContractViolation, ManualClock, kit_settings, store_state_machine
from tests.testing.conftest import caught_at_the_default_profile, violation_found
from tests.testing.fakes import (
    DefectiveDestroyStore,
    ForgetfulTTLStore,
    ForgetfulUnderVolumeStore,
    GreedyDestroyStore,
    LateExpiryStore,
    ListsEmptiedCollectionsStore,
    ListsExpiredKeysStore,
    LiveObjectStore,
    MiscountingStore,
    RaisingDestroyCollectionStore,
    ReorderingStore,
)


def on_clock(make: Any, **options: Any) -> Any:
    clock = ManualClock()
    return store_state_machine(lambda: make(clock), clock=clock, **options)


# -- correct stores and stacks pass ------------------------------------------------------

TestMemoryStore = on_clock(lambda clock: MemoryStore(clock=clock)).TestCase

TestPrefixKeysOnAnInstance = on_clock(
    lambda clock: prefix_keys("app")(MemoryStore(clock=clock))
).TestCase

TestPrefixKeysOnAClass = on_clock(
    lambda clock: prefix_keys("app")(MemoryStore)(clock=clock)
).TestCase

TestStatisticsOnAnInstance = on_clock(
    lambda clock: with_statistics(MemoryStore(clock=clock))
).TestCase

TestStatisticsOnAClass = on_clock(lambda clock: with_statistics(MemoryStore)(clock=clock)).TestCase

TestAStackOfBothPaths = on_clock(
    lambda clock: with_statistics(prefix_keys("tenant")(with_statistics(MemoryStore))(clock=clock))
).TestCase


def test_real_time_expiry_is_checked_with_short_ttls() -> None:
    machine = store_state_machine(
        MemoryStore, expiry_seconds=0.02, expiry_margin=0.02, settings=kit_settings(max_examples=5)
    )
    run_state_machine_as_test(machine)


def test_an_async_factory_is_awaited() -> None:
    async def make() -> MemoryStore:
        return MemoryStore()

    run_state_machine_as_test(
        store_state_machine(make, capabilities=(), settings=kit_settings(max_examples=3))
    )


def test_the_capabilities_exercised_can_be_restricted() -> None:
    machine = store_state_machine(MemoryStore, capabilities=["keys"])
    assert machine().can("keys")
    assert not machine().can("destroy")


def test_a_store_without_capabilities_is_checked_on_the_eight_operations() -> None:
    class Bare:
        """Only the protocol, through a MemoryStore it hides."""

        def __init__(self) -> None:
            self._store = MemoryStore()

        def __getattr__(self, name: str) -> Any:
            if name in ("keys", "collections", "destroy", "destroy_collection"):
                raise AttributeError(name)
            return getattr(self._store, name)

    machine = store_state_machine(Bare, settings=kit_settings(max_examples=5))
    assert not machine().can("keys")
    run_state_machine_as_test(machine)


# -- broken stores are reported -------------------------------------------------------------


def test_reports_a_store_that_forgets_ttls() -> None:
    message, program = violation_found(on_clock(lambda c: ForgetfulTTLStore(clock=c)))
    assert "ttl" in message
    assert "state.put" in program or "state.put_many" in program


def test_reports_a_store_whose_get_many_reorders() -> None:
    message, program = violation_found(on_clock(lambda c: ReorderingStore(clock=c)), steps=15)
    assert message.startswith("get_many(")
    assert "state.put" in program


def test_reports_a_store_that_returns_its_live_object() -> None:
    message, program = violation_found(on_clock(lambda c: LiveObjectStore(clock=c)), steps=15)
    assert "reads as" in message and "scribbled" in message
    assert "state.put" in program or "state.destroy_collection" in program  # it writes too


def test_reports_a_store_whose_delete_many_miscounts() -> None:
    message, program = violation_found(on_clock(lambda c: MiscountingStore(clock=c)))
    assert message.startswith("delete_many(")
    assert "live entries were deleted" in message
    assert "state.delete_many(" in program


def test_a_violation_is_an_assertion_error() -> None:
    assert issubclass(ContractViolation, AssertionError)


def test_custom_strategies_are_used() -> None:
    machine = store_state_machine(
        MemoryStore,
        keys=st.just("only"),
        collections=st.none(),
        ttls=st.none(),
        settings=kit_settings(max_examples=3),
    )
    run_state_machine_as_test(machine)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"factory": "not a factory"}, TypeError),
        ({"factory": MemoryStore, "clock": 5.0}, TypeError),
        ({"factory": MemoryStore, "expiry_seconds": -1}, ValueError),
        ({"factory": MemoryStore, "expiry_margin": True}, ValueError),
    ],
)
def test_bad_arguments_are_refused_when_the_machine_is_built(
    arguments: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        store_state_machine(**arguments)


# -- defects a short program must reach: caught at the default profile ---------------------


# Each broken store, what the report must say (any of the phrases), and the steps of which
# the shrunk program must contain one.
BROKEN_AT_THE_DEFAULT_PROFILE = {
    "lists expired keys": (ListsExpiredKeysStore, ["which the model does not hold"], ("advance",)),
    "lists collections emptied by deletes": (
        ListsEmptiedCollectionsStore,
        ["which the model does not hold"],
        ("state.delete", "state.change_held", "state.advance"),
    ),
    # Either the neighbour reads as missing, or the destroyed collection, empty in the model,
    # reports it held something (the neighbour it took with it).
    "destroy_collection removes longer names": (
        GreedyDestroyStore,
        ["reads as missing", "did not list", "nothing was there", "live"],
        ("destroy_collection",),
    ),
    "returns an entry at its expiry instant": (
        LateExpiryStore,
        ["the model holds nothing (deleted or expired)", "which the model does not hold"],
        ("state.advance",),
    ),
    "drops entries under volume": (
        ForgetfulUnderVolumeStore,
        ["reads as missing", "did not list", "live"],
        ("state.put_bulk(",),
    ),
    "raises where True or False is expected": (
        RaisingDestroyCollectionStore,
        ["raised KeyError", "the contract expects True or False"],
        ("destroy_collection",),
    ),
}


@pytest.mark.parametrize("defect", sorted(BROKEN_AT_THE_DEFAULT_PROFILE))
def test_reports_a_broken_store_at_the_default_profile(defect: str) -> None:
    store_class, phrases, steps = BROKEN_AT_THE_DEFAULT_PROFILE[defect]
    message, program = caught_at_the_default_profile(on_clock(lambda c: store_class(clock=c)))
    assert any(phrase in message for phrase in phrases), message
    assert any(step in program for step in steps), program


def test_a_reused_store_is_not_destroyed_when_destroy_is_not_among_its_capabilities() -> None:
    store = DefectiveDestroyStore()
    machine = store_state_machine(
        lambda: store,
        reuse=True,
        capabilities=("keys", "collections", "destroy_collection"),
        settings=kit_settings(max_examples=5),
    )
    run_state_machine_as_test(machine)


def test_the_default_profile_passes_a_correct_store_on_real_time() -> None:
    # A store without a clock: the wait rule is enabled by what earlier steps wrote only,
    # so replaying a program (while shrinking, or under the thorough profile) is repeatable.
    machine = store_state_machine(
        MemoryStore,
        expiry_seconds=0.01,
        expiry_margin=0.02,
        settings=kit_settings(max_examples=30, stateful_step_count=15, database=None),
    )
    run_state_machine_as_test(machine)
