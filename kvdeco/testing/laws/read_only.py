"""The read-only law: a view that never changes the store under it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from kvdeco.errors import ReadOnlyError
from kvdeco.testing.clock import ManualClock
from kvdeco.testing.faults import RecordingStore
from kvdeco.testing.laws._building import memory
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig
from kvdeco.testing.rules import build_machine

_WRITES = ("put", "put_many", "delete", "delete_many", "destroy", "destroy_collection")


class _ReadOnlyMachine(StoreMachine):
    """View 0 is the inner store (written freely), view 1 the read-only view over it."""

    wrap: Callable[[Any], Any]
    raises: bool | None

    def build(self) -> list[Any]:
        inner = memory(self.config.clock)  # type: ignore[arg-type]
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
