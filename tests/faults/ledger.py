"""The ledger of a fault run: every call made, how it ended, and what the server kept.

Each write goes to a key no other call writes (puts never overwrite), with a value derived
from the key, so what the server holds afterwards can be judged key by key without knowing
in which order concurrent calls reached it:

- an acknowledged write (the call returned) must be there with its value, unless the server
  lost it by design (killed without persistence before it came back);
- a write that raised may or may not be there ("not acknowledged" means "raised", not "not
  applied": a timed-out write may still have reached the server), but if it is there it holds
  its own value, and a bulk write is there in full or not at all;
- a read returns the key's own value or nothing, never another key's value.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Ledger",
    "Record",
    "Summary",
    "fallback_seed_value",
    "percentile",
    "seed_value",
    "value_for",
]

VALUE_PADDING = "p" * 64


def value_for(key: str) -> dict[str, Any]:
    """The one value ever written under ``key`` by the workload."""
    return {"key": key, "pad": VALUE_PADDING}


def seed_value(key: str) -> dict[str, Any]:
    """The value of a seed entry in the primary store."""
    return {"key": key, "source": "primary"}


def fallback_seed_value(key: str) -> dict[str, Any]:
    """The (older) copy of a seed entry that the fallback store holds."""
    return {"key": key, "source": "fallback"}


@dataclasses.dataclass
class Record:
    """One call of the workload.

    Attributes:
        task: The worker that made it.
        op: The operation name.
        keys: The keys it addressed.
        start: When it was called (``time.perf_counter()``).
        end: When it returned or raised.
        error: The type name of what it raised; ``None`` when it returned (acknowledged).
        result: What a read returned.
        via_fallback: Whether the fallback store answered it.
    """

    task: int
    op: str
    keys: tuple[str, ...]
    start: float
    end: float = math.nan
    error: str | None = None
    result: Any = None
    via_fallback: bool = False

    @property
    def acknowledged(self) -> bool:
        """The call returned normally."""
        return self.error is None and not math.isnan(self.end)

    @property
    def is_write(self) -> bool:
        """The call changes the store (a put or a delete)."""
        return self.op in ("put", "put_many", "delete")


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``samples`` (``nan`` when there are none)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclasses.dataclass
class Summary:
    """What a fault run did and what it found; every ``*_violations`` count must be 0."""

    scenario: str
    operations: int = 0
    acknowledged_writes: int = 0
    raised_writes: int = 0
    raised_but_applied: int = 0
    lost_writes: int = 0
    lost_to_crash: int = 0
    resurrected_deletes: int = 0
    partial_batches: int = 0
    corrupt_entries: int = 0
    wrong_reads: int = 0
    stale_reads: int = 0
    reads_from_fallback: int = 0
    deletes_reported_missing: int = 0
    recovered_by_retry: int = 0
    failed_after_recovery: int = 0
    errors: dict[str, int] = dataclasses.field(default_factory=dict)
    fault_latency_ms: dict[str, float] = dataclasses.field(default_factory=dict)
    latency_bound_ms: float = math.nan
    worst_case_bound_ms: float = math.nan
    loop_lag_ms: float = math.nan
    fault_operations: int = 0
    calls_across_fault: int = 0
    """Calls in flight at some moment of the fault, wherever they started."""
    tasks_finished: int = 0
    tasks: int = 0
    connections_before_close: int = -1
    connections_after_close: int = -1

    @property
    def violations(self) -> dict[str, int]:
        """The counts that break a promise of kvdeco or of the stack under test."""
        return {
            "lost_writes": self.lost_writes,
            "resurrected_deletes": self.resurrected_deletes,
            "partial_batches": self.partial_batches,
            "corrupt_entries": self.corrupt_entries,
            "wrong_reads": self.wrong_reads,
            "stale_reads": self.stale_reads,
            "failed_after_recovery": self.failed_after_recovery,
            "unfinished_tasks": self.tasks - self.tasks_finished,
            "connections_after_close": max(self.connections_after_close, 0),
        }

    def render(self) -> str:
        """The summary as aligned lines, for the soak run and the documentation."""
        latency = self.fault_latency_ms
        rows = [
            ("scenario", self.scenario),
            ("operations", self.operations),
            ("acknowledged writes", self.acknowledged_writes),
            ("raised writes", self.raised_writes),
            ("  of which applied anyway", self.raised_but_applied),
            ("lost acknowledged writes", self.lost_writes),
            ("lost by design (no persistence)", self.lost_to_crash),
            ("resurrected deletes", self.resurrected_deletes),
            ("partial bulk writes", self.partial_batches),
            ("corrupt entries / wrong reads", f"{self.corrupt_entries} / {self.wrong_reads}"),
            ("stale reads", self.stale_reads),
            ("reads served by the fallback", self.reads_from_fallback),
            ("deletes answering False (already gone)", self.deletes_reported_missing),
            ("calls recovered by retry", self.recovered_by_retry),
            ("failures after recovery", self.failed_after_recovery),
            ("errors by type", ", ".join(f"{k}={v}" for k, v in sorted(self.errors.items()))),
            (
                "latency during the fault (ms)",
                f"n={self.fault_operations} p50={latency.get('p50', math.nan):.1f} "
                f"p99={latency.get('p99', math.nan):.1f} max={latency.get('max', math.nan):.1f} "
                f"(bound {self.latency_bound_ms:.0f}, worst case {self.worst_case_bound_ms:.0f})",
            ),
            ("calls in flight during the fault", self.calls_across_fault),
            ("worst event-loop lag (ms)", f"{self.loop_lag_ms:.1f}"),
            ("tasks finished", f"{self.tasks_finished}/{self.tasks}"),
            (
                "server connections open / after close",
                f"{self.connections_before_close} / {self.connections_after_close}",
            ),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


class Ledger:
    """Every call of a run, and the checks of the server's final content against them."""

    def __init__(self) -> None:
        self.records: list[Record] = []

    def open(self, task: int, op: str, keys: Iterable[str], start: float) -> Record:
        """Record a call that is about to be made."""
        record = Record(task, op, tuple(keys), start)
        self.records.append(record)
        return record

    def writes_of(self, op: str) -> list[Record]:
        """The records of one write operation."""
        return [r for r in self.records if r.op == op]

    def check(
        self,
        summary: Summary,
        *,
        written: Mapping[str, Any],
        seeds: Mapping[str, Any],
        crash: tuple[float, float] | None,
    ) -> None:
        """Judge the server's final content and every read against the ledger.

        Args:
            summary: Filled in place.
            written: Final content of every key the workload put (``None`` when absent).
            seeds: Final content of every seed key.
            crash: ``(killed, restarting)`` when the server was killed without persistence:
                writes acknowledged before it are allowed to be gone.
        """
        records = self.records
        summary.operations = len(records)
        summary.errors = dict(Counter(r.error for r in records if r.error is not None))
        writes = [r for r in records if r.is_write]
        summary.acknowledged_writes = sum(r.acknowledged for r in writes)
        summary.raised_writes = sum(not r.acknowledged for r in writes)

        def forgiven(record: Record) -> bool:
            # Acknowledged before the restart began: applied by the server that was killed.
            return crash is not None and record.end <= crash[1]

        for record in self.writes_of("put") + self.writes_of("put_many"):
            present = [written[key] is not None for key in record.keys]
            for key in record.keys:
                if written[key] is not None and written[key] != value_for(key):
                    summary.corrupt_entries += 1
            if record.acknowledged:
                missing = present.count(False)
                if forgiven(record):
                    summary.lost_to_crash += missing
                else:
                    summary.lost_writes += missing
            elif any(present):
                summary.raised_but_applied += 1
                if not all(present) and crash is None:
                    summary.partial_batches += 1

        deleted = {r.keys[0]: r for r in self.writes_of("delete")}
        # Each seed is deleted once: False means an earlier, timed-out attempt of the same
        # call (or a crash) removed it already. Not a violation: a retried delete cannot know.
        summary.deletes_reported_missing = sum(
            r.acknowledged and r.result is False for r in deleted.values()
        )
        for key, value in seeds.items():
            delete = deleted.get(key)
            if value is not None and value != seed_value(key):
                summary.corrupt_entries += 1
            if delete is not None and delete.acknowledged and value is not None:
                summary.resurrected_deletes += 1
            if delete is None and value is None:
                if crash is not None:
                    summary.lost_to_crash += 1
                else:
                    summary.lost_writes += 1

        acknowledged_at = {
            key: r.end
            for r in records
            if r.op in ("put", "put_many") and r.acknowledged
            for key in r.keys
        }
        for record in records:
            if record.op not in ("get", "get_many") or not record.acknowledged:
                continue
            summary.reads_from_fallback += record.via_fallback
            results = [record.result] if record.op == "get" else list(record.result)
            for key, result in zip(record.keys, results):
                self._judge_read(summary, record, key, result, acknowledged_at, crash)

    @staticmethod
    def _judge_read(
        summary: Summary,
        record: Record,
        key: str,
        result: Any,
        acknowledged_at: Mapping[str, float],
        crash: tuple[float, float] | None,
    ) -> None:
        seed = key.startswith("s")
        if record.via_fallback:
            # The fallback holds older seed copies, and own writes only if writes go there.
            allowed = [None, fallback_seed_value(key) if seed else value_for(key)]
        else:
            allowed = [None, seed_value(key) if seed else value_for(key)]
        if result not in allowed:
            summary.wrong_reads += 1
            return
        acked = acknowledged_at.get(key)
        lost_by_design = (
            crash is not None and acked is not None and acked <= crash[1] and record.end >= crash[0]
        )
        if (
            result is None
            and not seed
            and not record.via_fallback
            and acked is not None
            and acked < record.start
            and not lost_by_design
        ):
            summary.stale_reads += 1
