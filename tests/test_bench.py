"""The side-by-side benchmark (benchmarks/sidebyside): what it measures and reports, never how
fast anything is."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import kvdeco
from benchmarks import sidebyside
from benchmarks.sidebyside import layers, measurement
from benchmarks.sidebyside import report as rendering


@pytest.mark.parametrize("label", list(measurement.SIZES))
def test_values_are_about_the_size_their_label_says(label: str) -> None:
    size = measurement.SIZES[label]
    length = len(json.dumps(measurement.make_value(size), separators=(",", ":")))
    assert abs(length - size) <= max(2, size // 50)


def test_a_summary_gives_the_median_quartiles_and_extremes() -> None:
    summary = measurement.Summary.of([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3) == (3.0, 2.0, 4.0)
    assert (summary.low, summary.high) == (1.0, 5.0)


def test_a_quick_run_reports_both_libraries_overheads_and_floors() -> None:
    report = sidebyside.run(quick=True, repetitions=1, target=0.0001)
    rows = {(row.group, row.name): row for row in report.rows}
    bare = rows[("MemoryStore", "get hit")]
    libraries = {measurement.KVDECO}
    if layers.pykv_class("MemoryStore"):
        libraries.add(measurement.PYKV)
    assert set(bare.results) == libraries
    layer = rows[("one layer over MemoryStore (overhead)", "statistics: get hit")]
    assert layer.overhead and set(layer.results) == libraries
    stack = rows[("Production Ready stack over MemoryStore", "get hit")]
    assert measurement.FLOOR in stack.results
    text = report.render()
    assert "statistics: get hit" in text and "kv/pkv" in text
    assert json.loads(json.dumps(report.to_json()))["rows"]


@pytest.mark.redis
def test_redis_rows_count_round_trips_and_leave_no_key_behind(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        report = sidebyside.run(quick=True, url=redis_url, repetitions=1, target=0.0001)
        many = [row for row in report.rows if row.group.startswith("get_many")]
        assert many and "kvdeco: 1 round trip," in many[0].note + ","
        assert any(row.group.startswith("RedisStore") for row in report.rows)
        # Every key the run wrote carries its namespace, and is deleted at the end.
        assert report.redis_namespace
        pattern = f"*{report.redis_namespace}*"
        leftovers = [k for k in client.scan_iter(match=pattern, count=1000)]
        assert leftovers == []
    finally:
        client.close()


def test_a_negative_overhead_reads_as_one_signed_number_and_range() -> None:
    summary = measurement.Summary.of([-9.0, -1.5, 8.0, -3.0, 2.0])
    assert rendering._cell(summary, overhead=True) == "-1.50 [-3.00, +2.00]"
    assert rendering._cell(summary, overhead=False) == "-1.50 [-3.00, 2.00]"
    assert rendering._ratio(None) == "-"


def test_the_installed_package_neither_imports_py_key_value_nor_ships_the_benchmark() -> None:
    package = Path(kvdeco.__file__).parent
    imported: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    assert not {name for name in imported if name.split(".")[0] == "key_value"}
    assert not (package / "bench.py").exists()
