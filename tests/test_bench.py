"""The benchmark harness: what it measures and reports (never how fast anything is)."""

from __future__ import annotations

import json

import pytest

from kvdeco import bench


@pytest.mark.parametrize("label", list(bench.SIZES))
def test_values_are_about_the_size_their_label_says(label: str) -> None:
    size = bench.SIZES[label]
    length = len(json.dumps(bench.make_value(size), separators=(",", ":")))
    assert abs(length - size) <= max(2, size // 50)


def test_a_summary_gives_the_median_quartiles_and_extremes() -> None:
    summary = bench.Summary.of([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3) == (3.0, 2.0, 4.0)
    assert (summary.low, summary.high) == (1.0, 5.0)


def test_a_quick_run_reports_both_libraries_overheads_and_floors() -> None:
    report = bench.run(quick=True, repetitions=1, target=0.0001)
    rows = {(row.group, row.name): row for row in report.rows}
    bare = rows[("MemoryStore", "get hit")]
    libraries = {bench.KVDECO} | ({bench.PYKV} if bench.pykv_class("MemoryStore") else set())
    assert set(bare.results) == libraries
    layer = rows[("one layer over MemoryStore (overhead)", "statistics: get hit")]
    assert layer.overhead and set(layer.results) == libraries
    stack = rows[("Production Ready stack over MemoryStore", "get hit")]
    assert bench.FLOOR in stack.results
    text = report.render()
    assert "statistics: get hit" in text and "kv/pkv" in text
    assert json.loads(json.dumps(report.to_json()))["rows"]


@pytest.mark.redis
def test_redis_rows_count_round_trips_and_leave_no_key_behind(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        report = bench.run(quick=True, url=redis_url, repetitions=1, target=0.0001)
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
    summary = bench.Summary.of([-9.0, -1.5, 8.0, -3.0, 2.0])
    assert bench._cell(summary, overhead=True) == "-1.50 [-3.00, +2.00]"
    assert bench._cell(summary, overhead=False) == "-1.50 [-3.00, 2.00]"
    assert bench._ratio(None) == "-"
