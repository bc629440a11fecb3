"""The pytest plugin of the test kit (entry point ``kvdeco``).

It registers the Hypothesis profiles ``kvdeco-quick`` and ``kvdeco-thorough`` (chosen with
``KVDECO_HYPOTHESIS_PROFILE``; see :mod:`kvdeco.testing.profiles`), shows the one in use in
the report header, and offers fixtures:

- ``manual_clock``: a fresh :class:`~kvdeco.testing.ManualClock`;
- ``memory_store``: an empty ``MemoryStore`` on ``manual_clock``;
- ``recording_store``: a :class:`~kvdeco.testing.faults.RecordingStore` over ``memory_store``.

The base classes work with or without the plugin: ``from kvdeco.testing import StoreLaws``.
The plugin itself needs only pytest, so installing kvdeco without Hypothesis never breaks a
project's test run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

# Before any of them is imported: a failed check of the kit then shows the values compared,
# as an assertion in the project's own tests would.
pytest.register_assert_rewrite(
    "kvdeco.testing.contract", "kvdeco.testing.suite", "kvdeco.testing.state_machine"
)

from kvdeco.stores.memory import MemoryStore  # noqa: E402
from kvdeco.testing.clock import ManualClock  # noqa: E402
from kvdeco.testing.faults import RecordingStore  # noqa: E402

__all__ = ["manual_clock", "memory_store", "recording_store"]

_PROFILE_VARIABLE = "KVDECO_HYPOTHESIS_PROFILE"


def pytest_configure(config: pytest.Config) -> None:
    """Register the kit's Hypothesis profiles, when Hypothesis is installed."""
    try:
        from kvdeco.testing.profiles import register_profiles
    except ImportError:  # no Hypothesis: the fixtures still work
        return
    register_profiles()


def pytest_report_header(config: pytest.Config) -> str:
    """Name the Hypothesis profile the kit runs with."""
    return (
        f"kvdeco test kit: hypothesis profile {os.environ.get(_PROFILE_VARIABLE) or 'kvdeco-quick'}"
    )


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock that moves only when advanced."""
    return ManualClock()


@pytest.fixture
def memory_store(manual_clock: ManualClock) -> MemoryStore:
    """An empty in-memory store on ``manual_clock``."""
    return MemoryStore(clock=manual_clock)


@pytest.fixture
def recording_store(memory_store: MemoryStore) -> Any:
    """A store that records every call (and TTL) reaching ``memory_store``."""
    return RecordingStore(memory_store)
