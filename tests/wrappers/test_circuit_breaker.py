"""The circuit breaker: fails fast while its store keeps failing, tries again after a pause."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kvdeco import (
    CircuitBreakerWrapper,
    CircuitOpenError,
    FallbackWrapper,
    InvalidTTLError,
    MemoryStore,
    RetryWrapper,
    StoreConnectionError,
    with_circuit_breaker,
)
from kvdeco.testing import FlakyStore, ManualClock, StoreContract, decorated_both_ways
from kvdeco.wrappers.circuit_breaker import CircuitState
from tests.logged import captured


class TestCircuitBreakerContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(with_circuit_breaker, MemoryStore)[request.param]


def switchable() -> FlakyStore:
    """A store that is up until its ``outage()``, down until its ``recover()``."""
    return FlakyStore(MemoryStore())


def go_down(store: FlakyStore) -> None:
    """Fail every call as a dead server would."""
    store.outage(StoreConnectionError)


def guarded(store: Any, clock: ManualClock, **options: Any) -> Any:
    options = {"failure_threshold": 3, "recovery_timeout": 10, **options}
    return CircuitBreakerWrapper(store, clock=clock, **options)


async def fail(store: Any, times: int) -> None:
    for _ in range(times):
        with pytest.raises(StoreConnectionError):
            await store.get("k")


async def test_it_opens_after_the_threshold_and_then_fails_fast_without_calling_the_store() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock)
    go_down(inner)
    await fail(store, 3)
    assert store.circuit.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError) as raised:
        await store.get("k")
    assert inner.calls == {"get": 3}
    assert raised.value.retry_after == pytest.approx(10)
    assert (store.circuit.opens, store.circuit.rejected) == (1, 1)


async def test_after_the_recovery_timeout_one_trial_closes_it_or_opens_it_again() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock)
    go_down(inner)
    await fail(store, 3)
    clock.advance(10)
    assert store.circuit.current_state() is CircuitState.HALF_OPEN
    await fail(store, 1)  # the trial fails: open for another recovery_timeout
    assert store.circuit.state is CircuitState.OPEN and store.circuit.opens == 2
    clock.advance(9.9)
    with pytest.raises(CircuitOpenError):
        await store.get("k")
    clock.advance(0.1)
    inner.recover()
    assert await store.get("k") is None
    assert store.circuit.state is CircuitState.CLOSED


async def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock)
    for _ in range(5):
        go_down(inner)
        await fail(store, 2)
        inner.recover()
        await store.get("k")
    assert store.circuit.state is CircuitState.CLOSED


async def test_the_caller_s_mistakes_never_count_as_failures() -> None:
    store = guarded(MemoryStore(), ManualClock(), failure_threshold=1)
    for _ in range(5):
        with pytest.raises(InvalidTTLError):
            await store.put("k", {"v": 1}, ttl=-1)
        with pytest.raises(ValueError):
            await store.get(3)
    assert store.circuit.state is CircuitState.CLOSED


async def test_a_failure_rate_over_the_window_opens_it_too() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock, failure_threshold=100, failure_rate=0.5, window=10)
    for n in range(11):  # ends on a failure, with a full window: 5 of the last 10 failed
        if n % 2 == 0:
            go_down(inner)
            await fail(store, 1)
        else:
            inner.recover()
            await store.get("k")
    assert store.circuit.state is CircuitState.OPEN


async def test_half_open_lets_only_its_trial_calls_through_under_thousands_of_tasks() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock, half_open_max_calls=2)
    go_down(inner)
    await fail(store, 3)
    clock.advance(10)
    # Back up but slow: every task starts before the trial calls that reach the store return.
    inner.schedule(lambda _operation, _n: 0.01)
    calls = [asyncio.ensure_future(store.get("k")) for _ in range(5000)]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert inner.calls == {"get": 3 + 2}  # the three failures, then the two trial calls only
    assert sum(o is None for o in outcomes) == 2
    assert all(isinstance(o, CircuitOpenError) for o in outcomes if o is not None)
    assert store.circuit.state is CircuitState.CLOSED


async def test_each_instance_of_a_decorated_class_has_its_own_breaker() -> None:
    clock = ManualClock()

    @with_circuit_breaker(failure_threshold=1, clock=clock)
    class Guarded(MemoryStore):
        """Its instances fail while ``down``: the class path needs a store class, which the
        kit's FlakyStore (a wrapper of an instance) is not."""

        down = False

        async def get(self, key: str, *, collection: str | None = None) -> Any:
            if self.down:
                raise StoreConnectionError("connection refused", operation="get")
            return await super().get(key, collection=collection)

    first, second = Guarded(), Guarded()
    first.down = True
    await fail(first, 1)
    assert first.circuit.state is CircuitState.OPEN
    assert second.circuit.state is CircuitState.CLOSED
    assert await second.get("k") is None


async def test_retry_does_not_retry_an_open_circuit_and_fallback_answers_for_it() -> None:
    clock, inner = ManualClock(), switchable()
    breaker = guarded(inner, clock, failure_threshold=1)
    go_down(inner)
    await fail(breaker, 1)
    retried = RetryWrapper(breaker, max_retries=5, initial_delay=10)
    with pytest.raises(CircuitOpenError):
        await asyncio.wait_for(retried.get("k"), 1)  # no 10 s wait: not retried
    backup = MemoryStore()
    await backup.put("k", {"from": "backup"})
    assert await FallbackWrapper(breaker, backup).get("k") == {"from": "backup"}


async def test_transitions_are_logged_without_values() -> None:
    clock, inner = ManualClock(), switchable()
    store = guarded(inner, clock, failure_threshold=1)
    with captured("kvdeco.circuit_breaker") as records:
        go_down(inner)
        await fail(store, 1)
        clock.advance(10)
        inner.recover()
        await store.get("k")
    events = [r.getMessage().split()[0] for r in records]
    assert events == ["circuit_open", "circuit_half_open", "circuit_closed"]


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"failure_threshold": 0}, ValueError, "failure_threshold must be at least 1"),
        ({"failure_threshold": True}, TypeError, "failure_threshold must be an int"),
        ({"recovery_timeout": -1}, ValueError, "recovery_timeout"),
        ({"failure_rate": 1.5}, ValueError, "failure_rate must be at most 1"),
        ({"clock": 3}, TypeError, "clock must be callable"),
    ],
)
def test_bad_options_are_refused(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        with_circuit_breaker(**options)


# -- the breaker against a model, driven by hypothesis with a manual clock -----------------


class BreakerModel(RuleBasedStateMachine):
    """Random sequences of failing and succeeding calls and clock moves, against a model."""

    THRESHOLD, RECOVERY = 3, 10.0

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.inner = switchable()
        self.store = guarded(
            self.inner, self.clock, failure_threshold=self.THRESHOLD, recovery_timeout=self.RECOVERY
        )
        self.loop = asyncio.new_event_loop()
        self.state, self.failures, self.opened_at = "closed", 0, 0.0

    def teardown(self) -> None:
        self.loop.close()

    def model_state(self) -> str:
        if self.state == "open" and self.clock() >= self.opened_at + self.RECOVERY:
            self.state = "half_open"
        return self.state

    @rule(down=st.booleans())
    def call(self, down: bool) -> None:
        if down:
            go_down(self.inner)
        else:
            self.inner.recover()
        expected = self.model_state()
        calls_before = self.inner.calls["get"]
        try:
            self.loop.run_until_complete(self.store.get("k"))
            outcome = "ok"
        except CircuitOpenError:
            outcome = "rejected"
        except StoreConnectionError:
            outcome = "failed"
        if expected == "open":
            assert outcome == "rejected" and self.inner.calls["get"] == calls_before
            return
        assert outcome == ("failed" if down else "ok")
        if not down:
            self.state, self.failures = "closed", 0
            return
        self.failures += 1
        if expected == "half_open" or self.failures >= self.THRESHOLD:
            self.state, self.opened_at = "open", self.clock()

    @rule(seconds=st.sampled_from([0.5, 5.0, 9.99, 10.0, 20.0]))
    def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @invariant()
    def same_state(self) -> None:
        assert self.store.circuit.current_state().value == self.model_state()


TestBreakerModel = BreakerModel.TestCase
TestBreakerModel.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
