"""How a store author checks a store: subclass StoreLaws and write one fixture.

This module is the example the documentation points to. ``TinyStore`` stands for the user's
own store; the class below is all the test code a user writes. It runs the example-based
contract and the Hypothesis model check (random programs against a dict model).
"""

from __future__ import annotations

import pytest

from kvdeco import MemoryStore
from kvdeco.testing import ManualClock, StoreLaws


class TinyStore(MemoryStore):
    """A user's store (here simply an in-memory one)."""


class TestTinyStore(StoreLaws):
    @pytest.fixture
    def store(self) -> TinyStore:
        return TinyStore()


class TestTinyStoreOnAClock(StoreLaws):
    """The same, for a store that takes a clock: expiry is then checked without waiting."""

    @pytest.fixture
    def store_clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def store(self, store_clock: ManualClock) -> TinyStore:
        return TinyStore(clock=store_clock)


class TestAnAsyncFixture(StoreLaws):
    """An async fixture works too: the model check runs on the fixture's event loop."""

    @pytest.fixture
    async def store(self) -> TinyStore:
        return TinyStore()
