"""Laws of stacks that keep the whole store model: transparency and isolation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.testing.clock import ManualClock
from kvdeco.testing.laws._building import Inner, fragments, memory
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import MachineConfig
from kvdeco.testing.rules import build_machine
from kvdeco.validation import DEFAULT_COLLECTION


def transparency_machine(
    make: Inner, *, settings: Settings | None = None, **options: Any
) -> type[StoreMachine]:
    """A value-preserving stack behaves exactly like the model (the whole store contract).

    Args:
        make: Builds the stack on a clock: ``lambda clock: with_retry()(MemoryStore(clock=clock))``
            (instance path) or ``lambda clock: with_retry()(MemoryStore)(clock=clock)`` (class
            path).
        settings: Hypothesis settings (the kit's profile by default).
        **options: Passed to :class:`~kvdeco.testing.model.MachineConfig`.
    """
    clock = ManualClock()
    cfg = MachineConfig(build=lambda: make(clock), clock=clock, **options)
    return build_machine(cfg, name="TransparencyMachine", settings=settings)


def isolation_machine(
    view: Callable[[Any, str], Any],
    names: Sequence[str] = ("a", "b"),
    *,
    inner: Inner = memory,
    settings: Settings | None = None,
    **options: Any,
) -> type[StoreMachine]:
    """Views over one store never observe each other; each behaves like its own model.

    After every write through one view, the machine reads back everything every other view
    holds. Keys and collections are drawn from pieces of the view names, the
    :data:`~kvdeco.testing.strategies.SEPARATORS`, ``%`` (alone and in the escape ``%3A``),
    ``\\`` and a letter outside ASCII, so ``"a" + "b:c"`` against ``"a:b" + "c"``, and
    ``"a%3Ab"`` against ``"a:b"``, are within reach; the default collection is also named
    explicitly, which must be the same as naming none.

    Args:
        view: ``view(store, name)`` builds the view called ``name`` over ``store``, such as
            ``lambda s, n: PrefixKeysWrapper(s, prefix=n)``.
        names: The views' names (at least two).
        inner: Builds the shared store.
        settings: Hypothesis settings.
        **options: Passed to :class:`~kvdeco.testing.model.MachineConfig`.
    """
    if len(names) < 2:
        raise ValueError("isolation needs at least two view names")
    clock = ManualClock()
    pieces = fragments(names)

    def build() -> list[Any]:
        shared = inner(clock)
        return [view(shared, name) for name in names]

    options.setdefault("keys", pieces)
    options.setdefault("collections", st.one_of(st.none(), st.just(DEFAULT_COLLECTION), pieces))
    cfg = MachineConfig(build=build, names=tuple(names), clock=clock, cross_check=True, **options)
    return build_machine(cfg, name="IsolationMachine", settings=settings)
