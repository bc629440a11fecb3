"""Laws of resilience under injected faults: retry, fallback and timeout."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from kvdeco.errors import (
    DecryptionError,
    EntryTooLargeError,
    InvalidKeyError,
    InvalidTTLError,
    ReadOnlyError,
    SerializationError,
    StoreConnectionError,
    StoreTimeoutError,
)
from kvdeco.stores.memory import MemoryStore
from kvdeco.testing.faults import FlakyStore
from kvdeco.testing.laws._building import LawMachine, own_rules
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig


def _fault(kind: type[BaseException], number: int) -> BaseException:
    text = f"injected {kind.__name__} #{number}"
    if kind is InvalidTTLError:
        return InvalidTTLError(-number - 1, operation="put")
    if kind is EntryTooLargeError:
        return EntryTooLargeError(100 + number, 10, operation="put")
    return kind(text)


NEVER_RETRIED: tuple[type[BaseException], ...] = (
    InvalidKeyError,
    InvalidTTLError,
    SerializationError,
    ReadOnlyError,
    EntryTooLargeError,
    DecryptionError,
)
"""Errors of the call itself (validation, read-only, size, decryption): trying again cannot
help, so a retry raises them at once whatever ``retry_on`` says."""

# Transient faults (builtin and kvdeco's own), an error outside the usual ``retry_on``, and
# the errors that are never retried, in about equal measure.
_FAULTS = st.one_of(
    st.sampled_from([ConnectionError, TimeoutError, StoreConnectionError, StoreTimeoutError]),
    st.just(RuntimeError),
    st.sampled_from(NEVER_RETRIED),
)


_OPERATIONS = ["get", "put", "delete", "get_many", "put_many"]


def _call(view: Any, operation: str, key: str, value: Any) -> Any:
    """One of :data:`_OPERATIONS` on ``key`` (the bulk reads name it twice)."""
    if operation == "get":
        return view.get(key)
    if operation == "put":
        return view.put(key, value)
    if operation == "delete":
        return view.delete(key)
    if operation == "get_many":
        return view.get_many([key, key])
    return view.put_many([key], [value])


def _check(
    model: dict[str, Any], operation: str, key: str, value: Any, result: Any, call: str
) -> None:
    """Apply a completed call to ``model`` and check its result."""
    expected: Any = None
    if operation in ("put", "put_many"):
        model[key] = value
    elif operation == "get":
        expected = model.get(key)
    elif operation == "get_many":
        expected = [model.get(key)] * 2
    else:
        expected = model.pop(key, None) is not None
    if result != expected:
        raise ContractViolation(f"{call} returned {result!r}; expected {expected!r}")


class _RetryMachine(LawMachine):
    wrap: Callable[[Any], Any]
    max_retries: int
    retry_on: tuple[type[BaseException], ...]

    def __init__(self) -> None:
        super().__init__()
        self.flaky = FlakyStore(MemoryStore())
        self.view = type(self).wrap(self.flaky)
        self.model: dict[str, Any] = {}

    def expect(self, faults: Sequence[BaseException]) -> tuple[int, BaseException | None]:
        """How many attempts the call takes and the error it ends with."""
        for attempt, fault in enumerate(faults):
            retried = isinstance(fault, self.retry_on) and not isinstance(fault, NEVER_RETRIED)
            if not retried or attempt == self.max_retries:
                return attempt + 1, fault
        return len(faults) + 1, None

    @rule(
        operation=st.sampled_from(_OPERATIONS),
        key=st.sampled_from(["a", "b"]),
        value=st.fixed_dictionaries({"n": st.integers(0, 9)}),
        kinds=st.lists(_FAULTS, max_size=5),
    )
    def call_with_faults(
        self, operation: str, key: str, value: Any, kinds: list[type[BaseException]]
    ) -> None:
        """Retryable faults are retried up to the limit; the last error is re-raised as it was."""
        faults = [_fault(kind, i) for i, kind in enumerate(kinds)]
        self.flaky.schedule(faults)
        attempts, error = self.expect(faults)
        before = self.flaky.calls[operation]
        call = f"{operation}({key!r}) with faults {[type(f).__name__ for f in faults]}"
        why = (
            f" ({type(error).__name__} is never retried)"
            if isinstance(error, NEVER_RETRIED)
            else ""
        )
        try:
            result = self.run(_call(self.view, operation, key, value))
        except BaseException as raised:
            if raised is not error:
                raise ContractViolation(
                    f"{call} raised {raised!r}; expected {error!r}{why}"
                ) from None
        else:
            if error is not None:
                raise ContractViolation(f"{call} succeeded; expected it to raise {error!r}{why}")
            _check(self.model, operation, key, value, result, call)
        made = self.flaky.calls[operation] - before
        if made != attempts:
            raise ContractViolation(f"{call} made {made} attempts; expected {attempts}{why}")
        self.flaky.schedule(())


def retry_machine(
    wrap: Callable[[Any], Any],
    *,
    max_retries: int = 3,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Retry under injected faults, both sides: a call meeting faults in ``retry_on`` is tried
    again, up to ``max_retries`` more times, then re-raises the last error itself; any other
    error is raised at once, after one attempt, and so is every error of
    :data:`NEVER_RETRIED` (validation, read-only, size, decryption) even when ``retry_on``
    names a base of it; the number of attempts is checked every call; a call that finally
    succeeds has the result the model expects.

    Args:
        wrap: Builds the retrying wrapper over a store; give it no delay
            (``lambda s: RetryWrapper(s, max_retries=2, initial_delay=0)``).
        max_retries: The wrapper's ``max_retries``.
        retry_on: The wrapper's ``retry_on``.
        settings: Hypothesis settings.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be an int >= 0")
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    namespace = {"wrap": staticmethod(wrap), "max_retries": max_retries, "retry_on": retry_on}
    return own_rules(type("_Retry", (_RetryMachine,), namespace), cfg, "RetryMachine", settings)


class _FallbackMachine(LawMachine):
    wrap: Callable[[Any, Any], Any]

    def __init__(self) -> None:
        super().__init__()
        self.primary = FlakyStore(MemoryStore())
        self.fallback = MemoryStore()
        self.view = type(self).wrap(self.primary, self.fallback)
        self.held: list[dict[str, Any]] = [{}, {}]  # what the primary and the fallback hold
        self.down = False

    @rule(down=st.booleans())
    def outage(self, down: bool) -> None:
        """Take the primary down (every call fails with ConnectionError) or bring it back."""
        self.down = down
        self.primary.schedule((lambda _op, _n: ConnectionError("primary down")) if down else ())

    @rule(
        which=st.sampled_from([0, 1]),
        key=st.sampled_from(["a", "b"]),
        value=st.fixed_dictionaries({"n": st.integers(0, 9)}),
    )
    def seed(self, which: int, key: str, value: Any) -> None:
        """Write straight into the primary (0) or the fallback (1)."""
        store = self.primary.__wrapped__ if which == 0 else self.fallback
        self.run(store.put(key, value))
        self.held[which][key] = value

    @rule(
        keys=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3), many=st.booleans()
    )
    def read(self, keys: list[str], many: bool) -> None:
        """Reads come from the primary, or from the fallback while the primary fails."""
        model = self.held[1 if self.down else 0]
        expected: Any = [model.get(k) for k in keys]
        try:
            if many:
                found = self.run(self.view.get_many(keys))
            else:
                found, expected = self.run(self.view.get(keys[0])), expected[0]
        except Exception as error:
            raise ContractViolation(f"read of {keys!r} raised {error!r}") from None
        if found != expected:
            source = "fallback" if self.down else "primary"
            raise ContractViolation(
                f"read of {keys!r} gave {found!r}; the {source} holds {expected!r}"
            )

    @rule(key=st.sampled_from(["a", "b"]), value=st.fixed_dictionaries({"n": st.integers(0, 9)}))
    def write(self, key: str, value: Any) -> None:
        """Writes go to the primary only: while it is down they fail and change nothing."""
        try:
            self.run(self.view.put(key, value))
        except ConnectionError:
            if not self.down:
                raise ContractViolation(f"put({key!r}) failed with the primary up") from None
        else:
            if self.down:
                raise ContractViolation(f"put({key!r}) succeeded with the primary down")
            self.held[0][key] = value
        found = self.run(self.fallback.get(key))
        if found != self.held[1].get(key):
            raise ContractViolation(f"put({key!r}) through the wrapper changed the fallback")


def fallback_machine(
    wrap: Callable[[Any, Any], Any], *, settings: Settings | None = None
) -> type[StoreMachine]:
    """Fallback under an injected outage: reads fall back while the primary fails, writes go to
    the primary only (the default ``write_to_fallback=False``).

    Args:
        wrap: ``wrap(primary, fallback)`` builds the wrapper, such as
            ``lambda p, f: FallbackWrapper(primary=p, fallback=f)``.
        settings: Hypothesis settings.
    """
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    namespace = {"wrap": staticmethod(wrap)}
    return own_rules(
        type("_Fallback", (_FallbackMachine,), namespace), cfg, "FallbackMachine", settings
    )


class _TimeoutMachine(LawMachine):
    wrap: Callable[[Any], Any]
    timeout: float

    def __init__(self) -> None:
        super().__init__()
        self.flaky = FlakyStore(MemoryStore())
        self.view = type(self).wrap(self.flaky)
        self.model: dict[str, Any] = {}

    @rule(
        operation=st.sampled_from(_OPERATIONS),
        key=st.sampled_from(["a", "b"]),
        value=st.fixed_dictionaries({"n": st.integers(0, 9)}),
        slow=st.booleans(),
    )
    def call(self, operation: str, key: str, value: Any, slow: bool) -> None:
        """A call that stalls past the timeout raises a ``TimeoutError`` within a bounded time
        (the stall is 5 times the timeout); a fast call has the result the model expects."""
        stall = 5 * self.timeout
        self.flaky.schedule([stall] if slow else [])
        call = f"{operation}({key!r}){' stalled' if slow else ''}"
        try:
            result = self.run(_call(self.view, operation, key, value))
        except TimeoutError:
            if not slow:
                raise ContractViolation(f"{call} timed out without stalling") from None
            if operation in ("put", "put_many", "delete"):
                self.model.pop(key, None)  # a cancelled write may or may not have landed
                self.run(self.flaky.__wrapped__.delete(key))
            return
        except Exception as error:
            raise ContractViolation(f"{call} raised {error!r}") from None
        finally:
            self.flaky.schedule(())
        if slow:
            raise ContractViolation(
                f"{call} stalled {stall:g} s and returned {result!r}; it should time out "
                f"after {self.timeout:g} s"
            )
        _check(self.model, operation, key, value, result, call)


def timeout_machine(
    wrap: Callable[[Any], Any], *, timeout: float, settings: Settings | None = None
) -> type[StoreMachine]:
    """Every operation, single or bulk, that takes longer than ``timeout`` raises a
    ``TimeoutError`` (kvdeco's ``StoreTimeoutError`` is one); a call that does not stall is
    untouched and has the result the model expects. The store under the wrapper stalls a call
    for 5 times ``timeout`` on the law's schedule.

    Args:
        wrap: Builds the timeout wrapper over a store, such as
            ``lambda s: TimeoutWrapper(s, timeout=0.05)``.
        timeout: The wrapper's timeout in seconds (keep it short: each stalled call waits it).
        settings: Hypothesis settings.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError("timeout must be a number of seconds > 0")
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    namespace = {"wrap": staticmethod(wrap), "timeout": float(timeout)}
    return own_rules(
        type("_Timeout", (_TimeoutMachine,), namespace), cfg, "TimeoutMachine", settings
    )
