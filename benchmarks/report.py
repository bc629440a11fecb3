"""The report of a run: one row per case, printed as a fixed-width table or written as JSON."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from typing import Any

from benchmarks.measurement import FLOOR, KVDECO, PYKV, Case, Summary


@dataclasses.dataclass
class Row:
    """The result of one case: a summary per implementation, overheads for wrapper rows."""

    group: str
    name: str
    size: str
    results: dict[str, Summary]
    overhead: bool
    note: str = ""

    def ratio(self, numerator: str = KVDECO, denominator: str = PYKV) -> float | None:
        """The ratio of two implementations' medians (kvdeco / py-key-value by default)."""
        top, bottom = self.results.get(numerator), self.results.get(denominator)
        if top is None or bottom is None or bottom.median <= 0:
            return None
        return top.median / bottom.median


@dataclasses.dataclass
class Report:
    """Every row of one run, with how it was run."""

    rows: list[Row]
    repetitions: int
    python: str = sys.version.split()[0]
    redis_namespace: str | None = None
    """The tag in every Redis key the run wrote (all deleted when it ended)."""

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "python": self.python,
            "repetitions": self.repetitions,
            "unit": "microseconds per call",
            "rows": [
                {
                    "group": row.group,
                    "name": row.name,
                    "size": row.size,
                    "overhead": row.overhead,
                    "note": row.note,
                    "results": {k: dataclasses.asdict(v) for k, v in row.results.items()},
                    "ratio_kvdeco_to_py_key_value": row.ratio(),
                    "ratio_kvdeco_to_floor": row.ratio(KVDECO, FLOOR),
                }
                for row in self.rows
            ],
        }

    def render(self) -> str:
        """The report as a fixed-width table."""
        head = (
            f"{'workload':<44}{'size':>7}  {'kvdeco µs':>19}  {'py-key-value µs':>19}"
            f"  {'kv/pkv':>7}  {'floor µs':>9}  {'kv/floor':>8}"
        )
        lines = [head, "-" * len(head)]
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                lines.append(f"[{group}]")
            cells = [cell(row.results.get(name), row.overhead) for name in (KVDECO, PYKV)]
            floor = row.results.get(FLOOR)
            floor_median = "" if floor is None else f"{floor.median:.2f}"
            ratio = ratio_text(row, PYKV)
            floor_ratio = ratio_text(row, FLOOR)
            lines.append(
                f"  {row.name:<42}{row.size:>7}  {cells[0]:>19}  {cells[1]:>19}"
                f"  {ratio:>7}  {floor_median:>9}  {floor_ratio:>8}"
                + (f"  {row.note}" if row.note else "")
            )
        lines.append("")
        lines.append(
            "µs per call: median over repetitions [interquartile range]; signed rows are a "
            "wrapper's overhead (wrapped minus bare, paired per repetition); n/a: no ratio, "
            "the divisor is at or below zero (an overhead lost in the noise)."
        )
        return "\n".join(line.rstrip() for line in lines)


def cell(summary: Summary | None, overhead: bool) -> str:
    """A median and its interquartile range; an overhead carries its sign, whichever it is.

    A layer's overhead can come out below zero (the wrapped store timed faster than the bare
    one, within the machine's noise), so the sign is the number's own and the quartiles are
    separated by a comma, never by a dash that would read as a minus.
    """
    if summary is None:
        return "-"
    median = f"{summary.median:+.2f}" if overhead else f"{summary.median:.2f}"
    return f"{median} [{summary.q1:.2f}, {summary.q3:.2f}]"


def ratio_text(row: Row, denominator: str) -> str:
    """kvdeco's median over ``denominator``'s; ``n/a`` where both exist but the ratio is void."""
    value = row.ratio(KVDECO, denominator)
    if value is not None:
        return f"{value:.2f}"
    return "n/a" if {KVDECO, denominator} <= set(row.results) else ""


def rows_of(cases: Iterable[Case]) -> list[Row]:
    rows = []
    for case in cases:
        results: dict[str, Summary] = {}
        for name, samples in case.samples.items():
            if samples:  # an overhead row has none where the bare store has no time
                results[name] = Summary.of(samples)
        rows.append(
            Row(case.group, case.name, case.size, results, case.baseline is not None, case.note)
        )
    return rows
