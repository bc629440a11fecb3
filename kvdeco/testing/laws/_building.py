"""What the laws are built from: the default inner store, name pieces, own-rule machines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.stores.memory import MemoryStore
from kvdeco.testing.profiles import kit_settings
from kvdeco.testing.state_machine import (
    MachineConfig,
    ManualClock,
    StoreMachine,
)

Inner = Callable[[ManualClock], Any]
"""Builds the store under the wrapper, on the machine's clock."""


def memory(clock: ManualClock) -> Any:
    return MemoryStore(clock=clock)


def fragments(names: Sequence[str]) -> st.SearchStrategy[str]:
    """Names made of the pieces views are named with, so that collisions are within reach."""
    pieces = sorted({*names, *(c for n in names for c in n), ":", "__", "x"})
    return st.lists(st.sampled_from(pieces), max_size=3).map("".join)


class LawMachine(StoreMachine):
    """A machine whose rules are all its own: it reuses only the loop and the failure helpers."""

    def build(self) -> Any:
        return None

    def everything_reads_back(self) -> None:
        """Not an invariant here: these machines keep models of their own."""


def own_rules(
    base: type[StoreMachine], cfg: MachineConfig, name: str, settings: Settings | None
) -> type[StoreMachine]:
    machine = type(name, (base,), {"config": cfg})
    return (settings if settings is not None else kit_settings())(machine)
