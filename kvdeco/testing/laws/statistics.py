"""The statistics law: counts, hits and misses equal the operations performed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis.stateful import invariant

from kvdeco.operations import OPERATIONS, Kind
from kvdeco.testing.clock import ManualClock
from kvdeco.testing.laws._building import Inner
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig
from kvdeco.testing.rules import build_machine

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
        **options: Passed to :class:`~kvdeco.testing.model.MachineConfig`.
    """
    clock = ManualClock()
    cfg = MachineConfig(build=lambda: make(clock), clock=clock, **options)
    base = type(
        "_Statistics", (_StatisticsMachine,), {"read_statistics": staticmethod(read_statistics)}
    )
    return build_machine(cfg, base, name="StatisticsMachine", settings=settings)
