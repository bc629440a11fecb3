"""Laws every wrapper of a kind must obey, as Hypothesis state machines.

Each function takes factories (so it imports no wrapper itself) and returns a
``RuleBasedStateMachine`` subclass; run it with ``.TestCase`` or
``hypothesis.stateful.run_state_machine_as_test``. A broken law raises
:class:`~kvdeco.testing.state_machine.ContractViolation` with a shrunk program::

    from kvdeco.testing import laws
    from kvdeco.wrappers.ttl_clamp import TTLClampWrapper

    TestClamp = laws.ttl_clamp_machine(
        lambda inner: TTLClampWrapper(inner, min_ttl=60, max_ttl=3600), min_ttl=60, max_ttl=3600
    ).TestCase

The inner store of every law is a ``MemoryStore`` on a :class:`ManualClock` unless ``inner``
says otherwise (``inner(clock) -> store``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from kvdeco.errors import EncryptionError, ReadOnlyError
from kvdeco.operations import OPERATIONS, Kind
from kvdeco.stores.memory import MemoryStore
from kvdeco.testing import strategies as kst
from kvdeco.testing.faults import FlakyStore, RecordingStore
from kvdeco.testing.profiles import kit_settings
from kvdeco.testing.state_machine import (
    ContractViolation,
    MachineConfig,
    ManualClock,
    StoreMachine,
    build_machine,
)

__all__ = [
    "compression_machine",
    "encryption_machine",
    "fallback_machine",
    "isolation_machine",
    "read_only_machine",
    "retry_machine",
    "statistics_machine",
    "transparency_machine",
    "ttl_clamp_machine",
]

Inner = Callable[[ManualClock], Any]
"""Builds the store under the wrapper, on the machine's clock."""


def _memory(clock: ManualClock) -> Any:
    return MemoryStore(clock=clock)


def _fragments(names: Sequence[str]) -> st.SearchStrategy[str]:
    """Names made of the pieces views are named with, so that collisions are within reach."""
    pieces = sorted({*names, *(c for n in names for c in n), ":", "__", "x"})
    return st.lists(st.sampled_from(pieces), max_size=3).map("".join)


# -- transparency, isolation, statistics, read-only, TTL clamp: extensions of the store model --


def transparency_machine(
    make: Inner, *, settings: Settings | None = None, **options: Any
) -> type[StoreMachine]:
    """A value-preserving stack behaves exactly like the model (the whole store contract).

    Args:
        make: Builds the stack on a clock: ``lambda clock: with_retry()(MemoryStore(clock=clock))``
            (instance path) or ``lambda clock: with_retry()(MemoryStore)(clock=clock)`` (class
            path).
        settings: Hypothesis settings (the kit's profile by default).
        **options: Passed to :class:`~kvdeco.testing.state_machine.MachineConfig`.
    """
    clock = ManualClock()
    cfg = MachineConfig(build=lambda: make(clock), clock=clock, **options)
    return build_machine(cfg, name="TransparencyMachine", settings=settings)


def isolation_machine(
    view: Callable[[Any, str], Any],
    names: Sequence[str] = ("a", "b"),
    *,
    inner: Inner = _memory,
    settings: Settings | None = None,
    **options: Any,
) -> type[StoreMachine]:
    """Views over one store never observe each other; each behaves like its own model.

    After every write through one view, the machine reads back everything every other view
    holds. Keys and collections are drawn from pieces of the view names and separators, so
    ``"a" + "b:c"`` against ``"a:b" + "c"`` is within reach.

    Args:
        view: ``view(store, name)`` builds the view called ``name`` over ``store``, such as
            ``lambda s, n: PrefixKeysWrapper(s, prefix=n)``.
        names: The views' names (at least two).
        inner: Builds the shared store.
        settings: Hypothesis settings.
        **options: Passed to :class:`~kvdeco.testing.state_machine.MachineConfig`.
    """
    if len(names) < 2:
        raise ValueError("isolation needs at least two view names")
    clock = ManualClock()
    pieces = _fragments(names)

    def build() -> list[Any]:
        shared = inner(clock)
        return [view(shared, name) for name in names]

    options.setdefault("keys", pieces)
    options.setdefault("collections", st.one_of(st.none(), pieces))
    cfg = MachineConfig(build=build, names=tuple(names), clock=clock, cross_check=True, **options)
    return build_machine(cfg, name="IsolationMachine", settings=settings)


_FIELDS = {"get": "get", "ttl": "ttl", "put": "put", "delete": "delete"}


class _StatisticsMachine(StoreMachine):
    """Counts what the model saw and compares it with what the store reports."""

    read_statistics: Callable[[Any], Any]

    def __init__(self) -> None:
        super().__init__()
        self.expected = {f: [0, 0, 0] for f in _FIELDS}  # count, hits, misses

    def observe(
        self, view: int, operation: str, collection: str | None, keys: Sequence[str], result: Any
    ) -> None:
        op = OPERATIONS[operation]
        field = self.expected[operation.removesuffix("_many")]
        field[0] += len(keys)
        if op.kind is Kind.READ:
            items = result if op.many else [result]
            hits = sum(1 for item in items if (item[0] if op.with_ttl else item) is not None)
            field[1] += hits
            field[2] += len(items) - hits
        elif op.kind is Kind.DELETE:
            deleted = int(result) if op.many else int(bool(result))
            field[1] += deleted
            field[2] += len(keys) - deleted

    @invariant()
    def statistics_match_the_operations(self) -> None:
        """Every count, hit and miss equals what the operations performed."""
        stats = type(self).read_statistics(self.views[0])
        for name in _FIELDS:
            part = getattr(stats, name)
            seen = [part.count, part.hits, part.misses]
            if seen != self.expected[name]:
                raise ContractViolation(
                    f"statistics of {name} are (count, hits, misses) = {tuple(seen)}; "
                    f"the operations performed give {tuple(self.expected[name])}"
                )


def statistics_machine(
    make: Inner,
    *,
    read_statistics: Callable[[Any], Any] = lambda store: store.get_statistics(),
    settings: Settings | None = None,
    **options: Any,
) -> type[StoreMachine]:
    """Statistics equal the operations performed: every count, hit and miss, per operation.

    Args:
        make: Builds the counting store on a clock (either path).
        read_statistics: Returns totals with ``.get``, ``.ttl``, ``.put``, ``.delete``, each
            with ``count``, ``hits`` and ``misses``.
        settings: Hypothesis settings.
        **options: Passed to :class:`~kvdeco.testing.state_machine.MachineConfig`.
    """
    clock = ManualClock()
    cfg = MachineConfig(build=lambda: make(clock), clock=clock, **options)
    base = type(
        "_Statistics", (_StatisticsMachine,), {"read_statistics": staticmethod(read_statistics)}
    )
    return build_machine(cfg, base, name="StatisticsMachine", settings=settings)


_WRITES = ("put", "put_many", "delete", "delete_many", "destroy", "destroy_collection")


class _ReadOnlyMachine(StoreMachine):
    """View 0 is the inner store (written freely), view 1 the read-only view over it."""

    wrap: Callable[[Any], Any]
    raises: bool | None

    def build(self) -> list[Any]:
        inner = _memory(self.config.clock)  # type: ignore[arg-type]
        self.recorder = RecordingStore(inner)
        return [inner, type(self).wrap(self.recorder)]

    @rule(
        operation=st.sampled_from(_WRITES),
        key=st.sampled_from(["a", "b", ""]),
        collection=st.sampled_from([None, "c1"]),
    )
    def write_through_the_view(self, operation: str, key: str, collection: str | None) -> None:
        """A write through the view is refused (or ignored) and never reaches the store."""
        view = self.views[1]
        calls = {
            "put": lambda: view.put(key, {"v": 1}, collection=collection),
            "put_many": lambda: view.put_many([key], [{"v": 1}], collection=collection),
            "delete": lambda: view.delete(key, collection=collection),
            "delete_many": lambda: view.delete_many([key], collection=collection),
            "destroy": lambda: view.destroy(),
            "destroy_collection": lambda: view.destroy_collection(collection or "c1"),
        }
        if getattr(view, operation, None) is None:
            return
        try:
            result = self.run(calls[operation]())
        except ReadOnlyError:
            if self.raises is False:
                raise ContractViolation(
                    f"{operation} raised ReadOnlyError; it should be ignored"
                ) from None
        else:
            if self.raises is True:
                raise ContractViolation(f"{operation} through the read-only view raised nothing")
            if result not in (None, False, 0):
                raise ContractViolation(f"ignored {operation} returned {result!r}")
        reached = [c.operation for c in self.recorder.log if c.operation in _WRITES]
        if reached:
            raise ContractViolation(
                f"{operation} through the read-only view reached the store as {reached}"
            )
        self.do_get_many(0, [key], collection)


def read_only_machine(
    wrap: Callable[[Any], Any],
    *,
    raises: bool | None = None,
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """A read-only view never changes the store under it, and reads what the store holds.

    Args:
        wrap: Builds the read-only view over a store.
        raises: True: writes must raise ``ReadOnlyError``; False: they must be ignored
            (``delete`` -> False, ``delete_many`` -> 0); None: either.
        settings: Hypothesis settings.
    """
    clock = ManualClock()
    cfg = MachineConfig(
        build=lambda: None,
        names=("store", "read_only"),
        clock=clock,
        writers=(0,),
        shared_model=True,
    )
    base = type("_ReadOnly", (_ReadOnlyMachine,), {"wrap": staticmethod(wrap), "raises": raises})
    return build_machine(cfg, base, name="ReadOnlyMachine", settings=settings)


class _ClampMachine(StoreMachine):
    wrap: Callable[[Any], Any]
    bounds: tuple[float, float, float | None]

    def build(self) -> Any:
        self.recorder = RecordingStore(_memory(self.config.clock))  # type: ignore[arg-type]
        return type(self).wrap(self.recorder)

    def clamp(self, ttl: Any) -> Any:
        low, high, missing = self.bounds
        return missing if ttl is None else min(max(float(ttl), low), high)

    def remember(
        self,
        view: int,
        collection: str | None,
        key: str,
        value: Any,
        ttl: Any,
        t0: float,
        t1: float,
    ) -> None:
        super().remember(view, collection, key, value, self.clamp(ttl), t0, t1)

    def observe(
        self, view: int, operation: str, collection: str | None, keys: Sequence[str], result: Any
    ) -> None:
        if operation not in ("put", "put_many"):
            return
        low, high, missing = self.bounds
        reached = self.recorder.ttls[-1]
        ok = reached == missing if reached is None else low <= float(reached) <= high
        if not ok:
            raise ContractViolation(
                f"{operation}({list(keys)!r}) reached the store with ttl={reached!r}, "
                f"outside [{low}, {high}]"
            )


def ttl_clamp_machine(
    wrap: Callable[[Any], Any],
    *,
    min_ttl: float,
    max_ttl: float,
    missing_ttl: float | None = None,
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Every TTL that reaches the store is within ``[min_ttl, max_ttl]`` (``missing_ttl`` for
    none), reads back clamped, and invalid TTLs are still refused rather than clamped.

    Args:
        wrap: Builds the clamping wrapper over a store.
        min_ttl: The lower bound the wrapper was given.
        max_ttl: The upper bound the wrapper was given.
        missing_ttl: What a write without a TTL gets.
        settings: Hypothesis settings.
    """
    if not 0 < min_ttl <= max_ttl:
        raise ValueError("min_ttl and max_ttl must satisfy 0 < min_ttl <= max_ttl")
    clock = ManualClock()
    ttls = kst.valid_ttls(min_value=0.001, max_value=max(10 * max_ttl, 1.0))
    cfg = MachineConfig(build=lambda: None, clock=clock, ttls=ttls)
    base = type(
        "_Clamp",
        (_ClampMachine,),
        {"wrap": staticmethod(wrap), "bounds": (float(min_ttl), float(max_ttl), missing_ttl)},
    )
    return build_machine(cfg, base, name="TTLClampMachine", settings=settings)


# -- value codecs and resilience: laws with a model of their own --------------------------


class _LawMachine(StoreMachine):
    """A machine whose rules are all its own: it reuses only the loop and the failure helpers."""

    def build(self) -> Any:
        return None

    def everything_reads_back(self) -> None:
        """Not an invariant here: these machines keep models of their own."""


_SECRET_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=6, max_size=16
)
_SECRETS = st.one_of(
    st.dictionaries(
        _SECRET_TEXT,
        st.one_of(_SECRET_TEXT, st.lists(_SECRET_TEXT, max_size=2)),
        min_size=1,
        max_size=3,
    ),
    kst.json_mappings(),
)
_SPOTS = st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([None, "c1"]))
_Spot = tuple[str, str | None]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


class _EncryptionMachine(_LawMachine):
    wrap: Callable[[Any], Any]
    on_error: bool | None

    def __init__(self) -> None:
        super().__init__()
        self.inner = MemoryStore()
        self.view = type(self).wrap(self.inner)
        # For each spot of the inner store: the spot its envelope was written for, the value
        # in it, and whether it was altered in place.
        self.held: dict[_Spot, tuple[_Spot, Any, bool]] = {}

    def spoiled(self, spot: _Spot) -> bool:
        """Whether the envelope at ``spot`` was altered, or written for another spot."""
        origin, _, altered = self.held[spot]
        return altered or origin != spot

    @rule(spot=_SPOTS, value=_SECRETS)
    def put(self, spot: _Spot, value: Any) -> None:
        """What the inner store holds shows no fragment of the value."""
        key, collection = spot
        self.run(self.view.put(key, value, collection=collection))
        self.held[spot] = (spot, value, False)
        raw = self.run(self.inner.get(key, collection=collection))
        if raw is None:
            return
        text = json.dumps(raw, ensure_ascii=False) + json.dumps(raw)
        fixed = " ".join(raw)  # the envelope's own field names
        for fragment in _strings(value):
            if len(fragment) >= 6 and fragment in text and fragment not in fixed:
                raise ContractViolation(f"put({key!r}): the stored envelope contains {fragment!r}")

    @rule(spot=_SPOTS, at=st.floats(min_value=0.2, max_value=0.8))
    def tamper(self, spot: _Spot, at: float) -> None:
        """Change one character in the middle of the longest string of an envelope."""
        key, collection = spot
        raw = self.run(self.inner.get(key, collection=collection))
        strings = [k for k, v in (raw or {}).items() if isinstance(v, str)]
        if not strings:
            return
        field = max(strings, key=lambda k: len(raw[k]))
        text = raw[field]
        i = int(len(text) * at)
        raw[field] = text[:i] + ("B" if text[i : i + 1] == "A" else "A") + text[i + 1 :]
        self.run(self.inner.put(key, raw, collection=collection))
        origin, value, _ = self.held[spot]
        self.held[spot] = (origin, value, True)
        self.check_read(spot, with_ttl=False)

    @rule(source=_SPOTS, destination=_SPOTS)
    def move(self, source: _Spot, destination: _Spot) -> None:
        """Copy one entry's envelope under another key or collection."""
        raw = self.run(self.inner.get(source[0], collection=source[1]))
        if raw is None or source == destination:
            return
        self.run(self.inner.put(destination[0], raw, collection=destination[1]))
        self.held[destination] = self.held[source]
        self.check_read(destination, with_ttl=False)

    @rule(spot=_SPOTS, with_ttl=st.booleans())
    def get(self, spot: _Spot, with_ttl: bool) -> None:
        """Intact entries decrypt to what was put; altered or moved ones never decrypt."""
        self.check_read(spot, with_ttl)

    def check_read(self, spot: _Spot, with_ttl: bool) -> None:
        """Read ``spot`` through the wrapper and check the outcome.

        An envelope moved back to the spot it was written for is intact again (and may hold
        an older value: replay is outside what an envelope can detect)."""
        key, collection = spot
        call = f"{'ttl' if with_ttl else 'get'}({key!r}, collection={collection!r})"
        read = self.view.ttl if with_ttl else self.view.get
        spoiled = spot in self.held and self.spoiled(spot)
        try:
            found = self.run(read(key, collection=collection))
        except EncryptionError as error:
            if not spoiled:
                raise ContractViolation(f"{call} of an intact entry raised {error!r}") from None
            if self.on_error is False:
                raise ContractViolation(
                    f"{call} raised {error!r}; it should read as missing"
                ) from None
            return
        value = found[0] if with_ttl else found
        if spoiled:
            if value is not None:
                raise ContractViolation(f"{call}: an altered or moved envelope decrypted silently")
            if self.on_error is True:
                raise ContractViolation(
                    f"{call} of a spoiled entry read as missing; it should raise"
                )
            return
        expected = self.held[spot][1] if spot in self.held else None
        if value != expected:
            raise ContractViolation(f"{call} returned {value!r}; {expected!r} was put")


def encryption_machine(
    wrap: Callable[[Any], Any],
    *,
    raise_on_error: bool | None = None,
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Encryption is opaque and has integrity.

    Opaque: what the store under the wrapper holds contains no string (of 6 characters or
    more) of any value put. Integrity: an envelope altered in place, or moved to another key
    or collection, never decrypts: it raises an ``EncryptionError`` (a ``DecryptionError``)
    or reads as missing.

    Args:
        wrap: Builds the encrypting wrapper over a store, such as
            ``lambda s: FernetEncryptionWrapper(s, fernet=Fernet(key))``.
        raise_on_error: True: spoiled entries must raise; False: must read as missing;
            None: either.
        settings: Hypothesis settings.
    """
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    base = type(
        "_Encryption",
        (_EncryptionMachine,),
        {"wrap": staticmethod(wrap), "on_error": raise_on_error},
    )
    return _own_rules(base, cfg, "EncryptionMachine", settings)


def _own_rules(
    base: type[StoreMachine], cfg: MachineConfig, name: str, settings: Settings | None
) -> type[StoreMachine]:
    machine = type(name, (base,), {"config": cfg})
    return (settings if settings is not None else kit_settings())(machine)


class _CompressionMachine(_LawMachine):
    wrap: Callable[[Any], Any]
    min_size: int
    marker: str

    def __init__(self) -> None:
        super().__init__()
        self.inner = MemoryStore()
        self.view = type(self).wrap(self.inner)
        self.model: dict[tuple[str, str | None], Any] = {}

    @rule(spot=_SPOTS, value=st.one_of(kst.json_mappings(large=False), kst.large_mappings()))
    def put(self, spot: tuple[str, str | None], value: Any) -> None:
        """Large values are stored compressed, small ones as they are."""
        key, collection = spot
        self.run(self.view.put(key, value, collection=collection))
        self.model[spot] = value
        raw = self.run(self.inner.get(key, collection=collection))
        size = len(json.dumps(value, sort_keys=True))
        if size >= self.min_size and (raw is None or self.marker not in raw):
            raise ContractViolation(f"put({key!r}) of {size} characters was not stored compressed")
        if size >= self.min_size and len(json.dumps(raw)) >= size:
            raise ContractViolation(f"put({key!r}) of {size} characters was stored no smaller")
        if size < self.min_size and raw != value:
            raise ContractViolation(f"put({key!r}) of {size} characters was not stored as it is")

    @rule(spot=_SPOTS, value=kst.json_mappings(large=False))
    def put_plain(self, spot: tuple[str, str | None], value: Any) -> None:
        """An uncompressed entry written past the wrapper (older data) stays readable."""
        self.run(self.inner.put(spot[0], value, collection=spot[1]))
        self.model[spot] = value

    @rule(
        keys=st.lists(_SPOTS.map(lambda s: s[0]), max_size=4),
        collection=st.sampled_from([None, "c1"]),
    )
    def get_many(self, keys: list[str], collection: str | None) -> None:
        """Every value reads back exactly as it was put."""
        found = self.run(self.view.get_many(keys, collection=collection))
        expected = [self.model.get((k, collection)) for k in keys]
        if found != expected:
            raise ContractViolation(
                f"get_many({keys!r}, collection={collection!r}) did not round-trip"
            )


def compression_machine(
    wrap: Callable[[Any], Any],
    *,
    min_size: int = 1024,
    marker: str = "__compressed_data__",
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Compression round-trips every value, compresses large ones, and reads plain old data.

    Args:
        wrap: Builds the compressing wrapper over a store.
        min_size: The wrapper's ``min_size_to_compress``.
        marker: The field that marks a compressed entry.
        settings: Hypothesis settings.
    """
    cfg = MachineConfig(build=lambda: None, capabilities=frozenset())
    namespace = {"wrap": staticmethod(wrap), "min_size": min_size, "marker": marker}
    return _own_rules(
        type("_Compression", (_CompressionMachine,), namespace), cfg, "CompressionMachine", settings
    )


_FAULTS = st.sampled_from([ConnectionError, TimeoutError, RuntimeError])


class _RetryMachine(_LawMachine):
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
            if not isinstance(fault, self.retry_on) or attempt == self.max_retries:
                return attempt + 1, fault
        return len(faults) + 1, None

    @rule(
        operation=st.sampled_from(["get", "put", "delete", "get_many", "put_many"]),
        key=st.sampled_from(["a", "b"]),
        value=st.fixed_dictionaries({"n": st.integers(0, 9)}),
        kinds=st.lists(_FAULTS, max_size=5),
    )
    def call_with_faults(
        self, operation: str, key: str, value: Any, kinds: list[type[Exception]]
    ) -> None:
        """Retryable faults are retried up to the limit; the last error is re-raised as it was."""
        faults = [kind(f"injected {kind.__name__} #{i}") for i, kind in enumerate(kinds)]
        self.flaky.schedule(faults)
        attempts, error = self.expect(faults)
        before = self.flaky.calls[operation]
        calls = {
            "get": lambda: self.view.get(key),
            "put": lambda: self.view.put(key, value),
            "delete": lambda: self.view.delete(key),
            "get_many": lambda: self.view.get_many([key, key]),
            "put_many": lambda: self.view.put_many([key], [value]),
        }
        call = f"{operation}({key!r}) with faults {[type(f).__name__ for f in faults]}"
        try:
            result = self.run(calls[operation]())
        except BaseException as raised:
            if raised is not error:
                raise ContractViolation(f"{call} raised {raised!r}; expected {error!r}") from None
        else:
            if error is not None:
                raise ContractViolation(f"{call} succeeded; expected it to raise {error!r}")
            self.check(operation, key, value, result, call)
        made = self.flaky.calls[operation] - before
        if made != attempts:
            raise ContractViolation(f"{call} made {made} attempts; expected {attempts}")
        self.flaky.schedule(())

    def check(self, operation: str, key: str, value: Any, result: Any, call: str) -> None:
        expected: Any = None
        if operation in ("put", "put_many"):
            self.model[key] = value
        elif operation == "get":
            expected = self.model.get(key)
        elif operation == "get_many":
            expected = [self.model.get(key)] * 2
        else:
            expected = self.model.pop(key, None) is not None
        if result != expected:
            raise ContractViolation(f"{call} returned {result!r}; expected {expected!r}")


def retry_machine(
    wrap: Callable[[Any], Any],
    *,
    max_retries: int = 3,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Retry under injected faults: a call meeting retryable faults is tried again, up to
    ``max_retries`` more times, then re-raises the last error itself; other errors are not
    retried; a call that finally succeeds has the result the model expects.

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
    return _own_rules(type("_Retry", (_RetryMachine,), namespace), cfg, "RetryMachine", settings)


class _FallbackMachine(_LawMachine):
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
    return _own_rules(
        type("_Fallback", (_FallbackMachine,), namespace), cfg, "FallbackMachine", settings
    )
