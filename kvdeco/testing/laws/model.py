"""Laws of stacks that keep the whole store model: transparency and isolation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.testing.laws._building import Inner, fragments, memory
from kvdeco.testing.state_machine import (
    MachineConfig,
    ManualClock,
    StoreMachine,
    build_machine,
)


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
    inner: Inner = memory,
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
    pieces = fragments(names)

    def build() -> list[Any]:
        shared = inner(clock)
        return [view(shared, name) for name in names]

    options.setdefault("keys", pieces)
    options.setdefault("collections", st.one_of(st.none(), pieces))
    cfg = MachineConfig(build=build, names=tuple(names), clock=clock, cross_check=True, **options)
    return build_machine(cfg, name="IsolationMachine", settings=settings)
