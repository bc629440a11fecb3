"""The TTL clamp law: every TTL that reaches the store is within the bounds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings

from kvdeco.testing import strategies as kst
from kvdeco.testing.clock import ManualClock
from kvdeco.testing.faults import RecordingStore
from kvdeco.testing.laws._building import memory
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig
from kvdeco.testing.rules import build_machine


class _ClampMachine(StoreMachine):
    wrap: Callable[[Any], Any]
    bounds: tuple[float, float, float | None]

    def build(self) -> Any:
        self.recorder = RecordingStore(memory(self.config.clock))  # type: ignore[arg-type]
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
