"""The base class a store author subclasses: the contract and the model check, one fixture.

Example:
    A test module of a store that takes a clock::

        import pytest
        from kvdeco.testing import ManualClock, StoreLaws

        class TestMyStore(StoreLaws):
            @pytest.fixture
            def store_clock(self):
                return ManualClock()

            @pytest.fixture
            def store(self, store_clock):
                return MyStore(clock=store_clock)
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest
from hypothesis.stateful import run_state_machine_as_test

from kvdeco.testing.clock import ManualClock
from kvdeco.testing.contract import StoreContract
from kvdeco.testing.state_machine import store_state_machine

__all__ = ["StoreLaws", "StoreModelCheck"]


class StoreModelCheck:
    """The stateful model check alone, for a store whose contract is tested elsewhere.

    Provide a ``store`` fixture returning an empty store (it may be async). Optionally provide
    ``store_clock`` returning the :class:`ManualClock` the store reads, so expiry is checked
    without waiting.

    Attributes:
        machine_options: Keyword arguments for
            :func:`~kvdeco.testing.store_state_machine` (``capabilities``,
            ``keys`` for stores that cannot take every character, ``expiry_seconds``...).
    """

    machine_options: ClassVar[dict[str, Any]] = {}
    # Marked, so a project running pytest-asyncio in its default (strict) mode runs them too.
    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.asyncio]

    @pytest.fixture
    def store_clock(self) -> ManualClock | None:
        """The clock the store reads, if it takes one; ``None`` by default."""
        return None

    @pytest.fixture(autouse=True)
    def _kvdeco_keep_clock(self, store_clock: ManualClock | None) -> None:
        self._kvdeco_clock = store_clock

    async def test_behaves_like_the_model(
        self, store: Any, store_clock: ManualClock | None
    ) -> None:
        # The machine runs in a worker thread and sends each call back to this event loop,
        # the one the store was made on (connections often belong to one loop).
        machine = store_state_machine(
            lambda: store,
            clock=store_clock,
            loop=asyncio.get_running_loop(),
            reuse=True,
            **self.machine_options,
        )
        await asyncio.to_thread(run_state_machine_as_test, machine)


class StoreLaws(StoreModelCheck, StoreContract):
    """The store contract (:class:`StoreContract`) plus the stateful model check: the one
    base class a store author needs. Fixtures as for :class:`StoreModelCheck`."""

    async def wait_for_expiry(self, store: Any) -> None:
        """Advance the store's clock when it has one; otherwise wait in real time."""
        if self._kvdeco_clock is not None:
            self._kvdeco_clock.advance(self.expiry_seconds * 3)
        else:
            await super().wait_for_expiry(store)

    async def test_expiry_includes_the_instant_itself(
        self, store: Any, store_clock: ManualClock | None
    ) -> None:
        """Live while the clock reads less than ``written + ttl``; gone at that instant."""
        if store_clock is None:
            pytest.skip("the store takes no clock: the instant of expiry cannot be reached")
        start = store_clock()
        await store.put("edge", {"v": 1}, collection="c", ttl=10)
        await store.put_many(["edge2"], [{"v": 2}], collection="c", ttl=10)
        store_clock.advance(10 - 1e-3)
        before = await store.get_many(["edge", "edge2"], collection="c")
        assert before == [{"v": 1}, {"v": 2}], f"1 ms before expiry the entries read {before}"
        store_clock.advance_to(start + 10)
        found = await store.get("edge", collection="c")
        assert found is None, f"at the instant of expiry get() returned {found!r}, not None"
        pairs = await store.ttl_many(["edge", "edge2"], collection="c")
        assert pairs == [(None, None)] * 2, f"at the instant of expiry ttl_many() gave {pairs}"
        deleted = await store.delete("edge2", collection="c")
        assert deleted is False, f"at the instant of expiry delete() returned {deleted!r}"
