"""What the laws are built from: the default inner store, name pieces, own-rule machines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.stores.memory import MemoryStore
from kvdeco.testing import strategies as kst
from kvdeco.testing.clock import ManualClock
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import MachineConfig
from kvdeco.testing.profiles import kit_settings

Inner = Callable[[ManualClock], Any]
"""Builds the store under the wrapper, on the machine's clock."""


def memory(clock: ManualClock) -> Any:
    return MemoryStore(clock=clock)


# Besides the views' names and their characters: the separators, the escape characters with
# an escaped ``:`` (``"a%3Ab"`` must not meet ``"a:b"``), and a letter outside ASCII.
_PIECES = (*kst.SEPARATORS, "%", "%3A", "\\", "к", "x")


def fragments(names: Sequence[str]) -> st.SearchStrategy[str]:
    """Names made of the pieces views are named with, so that collisions are within reach."""
    pieces = sorted({*names, *(c for n in names for c in n), *_PIECES})
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


_SECRET_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=6, max_size=16
)
# Values made of long strings, so that finding one in what a layer writes or logs means
# the value leaked.
SECRETS = st.one_of(
    st.dictionaries(
        _SECRET_TEXT,
        st.one_of(_SECRET_TEXT, st.lists(_SECRET_TEXT, max_size=2)),
        min_size=1,
        max_size=3,
    ),
    kst.json_mappings(),
)


def strings_in(value: Any) -> list[str]:
    """Every string in ``value``: its keys and its values, nested ones included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings_in(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []
