"""The table of one run: its rows, rendered as text or JSON."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from .measurement import FLOOR, KVDECO, PYKV, Row, Summary


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
            f"{'workload':<44}{'size':>7}  {'kvdeco µs':>17}  {'py-key-value µs':>17}"
            f"  {'kv/pkv':>7}  {'floor µs':>9}  {'kv/floor':>8}"
        )
        lines = [head, "-" * len(head)]
        group = None
        for row in self.rows:
            if row.group != group:
                group = row.group
                lines.append(f"[{group}]")
            cells = [_cell(row.results.get(name), row.overhead) for name in (KVDECO, PYKV)]
            floor = row.results.get(FLOOR)
            ratio, floor_ratio = row.ratio(), row.ratio(KVDECO, FLOOR)
            lines.append(
                f"  {row.name:<42}{row.size:>7}  {cells[0]:>17}  {cells[1]:>17}"
                f"  {_ratio(ratio):>7}  {'' if floor is None else f'{floor.median:.2f}':>9}"
                f"  {_ratio(floor_ratio):>8}" + (f"  {row.note}" if row.note else "")
            )
        lines.append("")
        lines.append(
            "µs per call: median over repetitions [interquartile range]; '+' rows are a "
            "wrapper's overhead (wrapped minus bare, paired per repetition)."
        )
        return "\n".join(line.rstrip() for line in lines)


def _cell(summary: Summary | None, overhead: bool) -> str:
    if summary is None:
        return "-"
    # An overhead is signed (it can be negative within noise); a range reads "[low, high]"
    # so that a negative bound is not taken for a dash.
    number = "+.2f" if overhead else ".2f"
    return f"{summary.median:{number}} [{summary.q1:{number}}, {summary.q3:{number}}]"


def _ratio(value: float | None) -> str:
    """A ratio of medians; "-" when there is none (a missing side, or a median <= 0)."""
    return "-" if value is None else f"{value:.2f}"
