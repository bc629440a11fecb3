"""Tools to check that a store, or a stack of wrappers, keeps the store contract.

Subclass :class:`~kvdeco.testing.suite.StoreLaws` in a pytest module and give it one
fixture, ``store``, that returns an empty store: it runs the example-based contract and a
Hypothesis state machine that checks random programs against a dict model::

    import pytest
    from kvdeco.testing import StoreLaws

    class TestMyStore(StoreLaws):
        @pytest.fixture
        def store(self):
            return MyStore()

The pieces are public too: :mod:`kvdeco.testing.strategies` (inputs, legal and illegal),
:func:`store_state_machine` (the model check), :mod:`kvdeco.testing.laws` (what each kind of
wrapper must obey) and :mod:`kvdeco.testing.faults` (stores that fail, stall or record).
Needs ``pytest`` and ``hypothesis`` (the ``kvdeco[testing]`` extra).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kvdeco.testing import laws, strategies
    from kvdeco.testing.clock import ManualClock
    from kvdeco.testing.contract import StoreContract, decorated_both_ways
    from kvdeco.testing.faults import FlakyStore, RecordedCall, RecordingStore
    from kvdeco.testing.machine import StoreMachine
    from kvdeco.testing.model import ContractViolation
    from kvdeco.testing.profiles import kit_settings
    from kvdeco.testing.state_machine import store_state_machine
    from kvdeco.testing.suite import StoreLaws, StoreModelCheck

# Names load on first use: the pytest plugin lives in this package, and a project that has
# kvdeco but not Hypothesis must still be able to start pytest.
_HOMES = {
    "ContractViolation": "model",
    "FlakyStore": "faults",
    "ManualClock": "clock",
    "RecordedCall": "faults",
    "RecordingStore": "faults",
    "StoreContract": "contract",
    "StoreLaws": "suite",
    "StoreMachine": "machine",
    "StoreModelCheck": "suite",
    "decorated_both_ways": "contract",
    "kit_settings": "profiles",
    "store_state_machine": "state_machine",
}

__all__ = [
    "ContractViolation",
    "FlakyStore",
    "ManualClock",
    "RecordedCall",
    "RecordingStore",
    "StoreContract",
    "StoreLaws",
    "StoreMachine",
    "StoreModelCheck",
    "decorated_both_ways",
    "kit_settings",
    "laws",
    "store_state_machine",
    "strategies",
]


def __getattr__(name: str) -> Any:
    if name in ("laws", "strategies"):
        return importlib.import_module(f"kvdeco.testing.{name}")
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kvdeco.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kvdeco.testing.{home}"), name)
