"""Shared helpers for the test kit's own tests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from kvdeco.testing import ContractViolation
from kvdeco.testing.profiles import kit_settings

HUNT = settings(
    kit_settings(),
    max_examples=1000,
    stateful_step_count=10,
    report_multiple_bugs=False,
    database=None,
    phases=[Phase.generate, Phase.shrink],
    derandomize=True,
)
"""Enough examples to find a planted defect reliably, and no example database, so each run
searches afresh instead of replaying an earlier failure."""


def violation_found(machine: Any, steps: int | None = None) -> tuple[str, str]:
    """Run ``machine`` expecting the kit to report a defect.

    Args:
        machine: The state machine, built over a broken store or wrapper.
        steps: Longest program (the runs are derandomized, so this only tunes their speed).

    Returns:
        The violation's message and the shrunk program Hypothesis printed with it.
    """
    with pytest.raises(ContractViolation) as info:
        hunt = HUNT if steps is None else settings(HUNT, stateful_step_count=steps)
        run_state_machine_as_test(machine, settings=hunt)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    return str(info.value), notes


def caught_at_the_default_profile(machine: Any) -> tuple[str, str]:
    """Run ``machine`` as a store author's CI would (the default profile, a fresh search with
    no example database) and return the violation it reports, as :func:`violation_found`."""
    with pytest.raises(ContractViolation) as info:
        run_state_machine_as_test(
            machine, settings=settings(kit_settings(), database=None, report_multiple_bugs=False)
        )
    notes = "\n".join(getattr(info.value, "__notes__", []))
    return str(info.value), notes
