"""A stateful model check: random sequences of store operations against a dict model.

:func:`store_state_machine` turns a store factory into a Hypothesis ``RuleBasedStateMachine``.
Each example builds a fresh store, runs a random program of the eight operations (plus
``keys()``, ``collections()``, ``destroy_collection()`` and ``destroy()`` when the store has
them, invalid calls, and the passing of time) and checks every result against a model: bulk
results in order with duplicates, delete counts, TTLs read back, expiry, fresh copies, the
errors of illegal calls and that they change nothing. A failure is shrunk to a short program
and raised as a :class:`ContractViolation` naming the call, what it returned and what the
model expected::

    from kvdeco import MemoryStore
    from kvdeco.testing import ManualClock, store_state_machine

    clock = ManualClock()
    machine = store_state_machine(lambda: MemoryStore(clock=clock), clock=clock)
    TestMemoryStoreModel = machine.TestCase

Time: a store that takes a clock (``MemoryStore(clock=...)``) is driven by a
:class:`ManualClock` the machine advances, so expiry is checked exactly and without waiting.
Without one, the machine writes entries with a short real TTL (``expiry_seconds``) and waits
them out now and then; reads close to an expiry accept either outcome.

This module's one job is that public entry point, :func:`store_state_machine` (documented in
the testing guide; ``kvdeco.testing`` exports it), with the two names its callers meet: the
:class:`StoreMachine` it returns and the :class:`ContractViolation` a failure raises. What it
builds on lives apart: :mod:`kvdeco.testing.model` (the model, the configuration),
:mod:`kvdeco.testing.machine` (the checks) and :mod:`kvdeco.testing.rules` (the rules
programs are made of).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.testing.clock import ManualClock
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import ContractViolation, MachineConfig
from kvdeco.testing.rules import build_machine
from kvdeco.validation import DEFAULT_COLLECTION

__all__ = ["ContractViolation", "StoreMachine", "store_state_machine"]


def store_state_machine(
    factory: Callable[[], Any],
    *,
    clock: ManualClock | None = None,
    keys: st.SearchStrategy[str] | None = None,
    collections: st.SearchStrategy[str | None] | None = None,
    values: st.SearchStrategy[dict[str, Any]] | None = None,
    ttls: st.SearchStrategy[float | int | None] | None = None,
    expiry_seconds: float = 0.05,
    expiry_margin: float = 0.05,
    ttl_tolerance: float | None = None,
    default_collection: str = DEFAULT_COLLECTION,
    capabilities: Sequence[str] | None = None,
    settings: Settings | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    reuse: bool = False,
    invalid_calls: bool = True,
) -> type[StoreMachine]:
    """Build a state machine that checks the store ``factory`` makes against a dict model.

    Args:
        factory: Returns a fresh, empty store (or stack of wrappers); may be async.
        clock: The :class:`ManualClock` the store reads, if it takes one; the machine
            advances it. Without it, expiry is checked with short real TTLs.
        keys: Keys to use (a small pool mixed with :func:`~kvdeco.testing.strategies.keys`
            by default, so programs revisit keys).
        collections: Collections to use (``None``, ``""`` and a few odd names by default).
        values: Values to write (:func:`~kvdeco.testing.strategies.json_mappings`).
        ttls: TTLs of ordinary writes. By default short ones with a manual clock, and none
            shorter than an hour without (those never expire during a run).
        expiry_seconds: The short real TTL used without a manual clock.
        expiry_margin: How late a store may expire an entry without a manual clock (and how
            early a read may already miss it).
        ttl_tolerance: How far a read-back TTL may be from the model's (1e-6 s with a manual
            clock, 1 s without).
        default_collection: The name ``collections()`` gives the default collection.
        capabilities: Restrict the optional operations exercised (all the store has).
        settings: Hypothesis settings (the ``KVDECO_HYPOTHESIS_PROFILE`` profile by default).
        loop: Run store calls on this running event loop (the machine then runs in another
            thread); by default each example gets a private loop.
        reuse: The factory returns the same store every time: the machine empties it with
            ``destroy()`` first (when it can) and deletes what it wrote afterwards.
        invalid_calls: Also make illegal calls and check their errors (on by default).

    Returns:
        A ``RuleBasedStateMachine`` subclass; its ``.TestCase`` is a ``unittest.TestCase``.
    """
    if not callable(factory):
        raise TypeError(f"factory must be callable, not {type(factory).__name__}")
    if clock is not None and not callable(getattr(clock, "advance", None)):
        raise TypeError("clock must be a ManualClock (something with advance(seconds))")
    for name, number in (("expiry_seconds", expiry_seconds), ("expiry_margin", expiry_margin)):
        if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
            raise ValueError(f"{name} must be a number of seconds >= 0")
    cfg = MachineConfig(
        build=factory,
        clock=clock,
        keys=keys,
        collections=collections,
        values=values,
        ttls=ttls,
        expiry_seconds=expiry_seconds,
        expiry_margin=expiry_margin,
        ttl_tolerance=ttl_tolerance,
        default_collection=default_collection,
        capabilities=None if capabilities is None else frozenset(capabilities),
        loop=loop,
        reuse=reuse,
        invalid_calls=invalid_calls,
    )
    return build_machine(cfg, settings=settings)
