"""The Hypothesis settings the test kit runs with.

Two profiles are registered when :mod:`kvdeco.testing` is imported:

- ``kvdeco-quick`` (the default): few examples, short runs, no deadline. For CI and every run.
- ``kvdeco-thorough``: many examples and longer runs, for a nightly job or before a release.

The environment variable ``KVDECO_HYPOTHESIS_PROFILE`` chooses one (or any profile you
registered yourself). Only the kit's own machines and laws use it: a project's other
Hypothesis tests keep whatever profile the project loads.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings

__all__ = ["PROFILE_VARIABLE", "QUICK", "THOROUGH", "kit_settings", "register_profiles"]

QUICK = "kvdeco-quick"
THOROUGH = "kvdeco-thorough"
PROFILE_VARIABLE = "KVDECO_HYPOTHESIS_PROFILE"

_RELAXED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# The explain phase re-runs a failing program many times to annotate it: for a state machine
# that costs far more than the shrunk program it annotates is worth.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]


def register_profiles() -> None:
    """Register ``kvdeco-quick`` and ``kvdeco-thorough`` (safe to call more than once)."""
    # Store calls may reach a network server: timing varies, so no per-example deadline.
    common: dict[str, Any] = {
        "deadline": None,
        "suppress_health_check": _RELAXED,
        "phases": _PHASES,
        "print_blob": True,
    }
    settings.register_profile(QUICK, max_examples=12, stateful_step_count=25, **common)
    settings.register_profile(THOROUGH, max_examples=400, stateful_step_count=60, **common)


def kit_settings(**overrides: object) -> settings:
    """The settings of the profile ``KVDECO_HYPOTHESIS_PROFILE`` names, with ``overrides``.

    Example:
        >>> kit_settings(max_examples=5).max_examples
        5
    """
    name = os.environ.get(PROFILE_VARIABLE) or QUICK
    return settings(settings.get_profile(name), **overrides)  # type: ignore[arg-type]


register_profiles()
