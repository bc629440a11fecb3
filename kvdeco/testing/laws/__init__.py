"""Laws every wrapper of a kind must obey, as Hypothesis state machines.

Each function takes factories (so it imports no wrapper itself) and returns a
``RuleBasedStateMachine`` subclass; run it with ``.TestCase`` or
``hypothesis.stateful.run_state_machine_as_test``. A broken law raises
:class:`~kvdeco.testing.ContractViolation` with a shrunk program::

    from kvdeco.testing import laws
    from kvdeco.wrappers.ttl_clamp import TTLClampWrapper

    TestClamp = laws.ttl_clamp_machine(
        lambda inner: TTLClampWrapper(inner, min_ttl=60, max_ttl=3600), min_ttl=60, max_ttl=3600
    ).TestCase

The inner store of every law is a ``MemoryStore`` on a :class:`ManualClock` unless ``inner``
says otherwise (``inner(clock) -> store``). One module per kind of law: :mod:`.model`
(transparency, isolation), :mod:`.statistics`, :mod:`.read_only`, :mod:`.ttl_clamp`,
:mod:`.codecs` (encryption, compression), :mod:`.resilience` (retry, fallback, timeout),
:mod:`.cache` (passthrough cache), :mod:`.limit_size` and :mod:`.logs` (logging).
"""

from __future__ import annotations

from kvdeco.testing.laws.cache import passthrough_cache_machine
from kvdeco.testing.laws.codecs import compression_machine, encryption_machine
from kvdeco.testing.laws.limit_size import limit_size_machine
from kvdeco.testing.laws.logs import logging_machine
from kvdeco.testing.laws.model import isolation_machine, transparency_machine
from kvdeco.testing.laws.read_only import read_only_machine
from kvdeco.testing.laws.resilience import fallback_machine, retry_machine, timeout_machine
from kvdeco.testing.laws.statistics import statistics_machine
from kvdeco.testing.laws.ttl_clamp import ttl_clamp_machine

__all__ = [
    "compression_machine",
    "encryption_machine",
    "fallback_machine",
    "isolation_machine",
    "limit_size_machine",
    "logging_machine",
    "passthrough_cache_machine",
    "read_only_machine",
    "retry_machine",
    "statistics_machine",
    "timeout_machine",
    "transparency_machine",
    "ttl_clamp_machine",
]
