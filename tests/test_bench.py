"""The benchmark harness in ``benchmarks/``: what it measures and reports (never how fast)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import compare, layers, measurement, report
from benchmarks.measurement import FLOOR, KVDECO, PYKV, SIZES, Summary

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("label", list(SIZES))
def test_values_are_about_the_size_their_label_says(label: str) -> None:
    size = SIZES[label]
    length = len(json.dumps(measurement.make_value(size), separators=(",", ":")))
    assert abs(length - size) <= max(2, size // 50)


def test_a_summary_gives_the_median_quartiles_and_extremes() -> None:
    summary = Summary.of([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (summary.median, summary.q1, summary.q3) == (3.0, 2.0, 4.0)
    assert (summary.low, summary.high) == (1.0, 5.0)


def test_a_negative_overhead_keeps_its_own_sign_and_readable_quartiles() -> None:
    below_zero = Summary(median=-1.33, q1=-9.87, q3=8.28, low=-12.0, high=9.0)
    assert report.cell(below_zero, overhead=True) == "-1.33 [-9.87, 8.28]"
    assert report.cell(Summary(1.5, 1.0, 2.0, 0.5, 3.0), overhead=True) == "+1.50 [1.00, 2.00]"
    assert report.cell(Summary(1.5, 1.0, 2.0, 0.5, 3.0), overhead=False) == "1.50 [1.00, 2.00]"


def test_a_ratio_over_an_overhead_at_or_below_zero_says_n_a_rather_than_nothing() -> None:
    kv = Summary(2.0, 1.0, 3.0, 0.0, 4.0)
    void = report.Row("g", "w", "1 KiB", {KVDECO: kv, PYKV: Summary(-1.0, -2.0, 0.0, -3, 1)}, True)
    assert report.ratio_text(void, PYKV) == "n/a"
    alone = report.Row("g", "w", "1 KiB", {KVDECO: kv}, True)
    assert report.ratio_text(alone, PYKV) == ""
    pair = report.Row("g", "w", "1 KiB", {KVDECO: kv, PYKV: Summary(4.0, 3.0, 5.0, 2, 6)}, True)
    assert report.ratio_text(pair, PYKV) == "0.50"


def test_encrypted_rows_use_a_key_made_for_the_run() -> None:
    from cryptography.fernet import InvalidToken

    fernet = layers.session_fernet()
    token = layers.seal(fernet, {"a": 1})
    assert layers.open_sealed(fernet, token) == {"a": 1}
    layers.session_fernet.cache_clear()  # as a new run would start
    with pytest.raises(InvalidToken):
        layers.open_sealed(layers.session_fernet(), token)


def test_a_quick_run_reports_both_libraries_overheads_and_floors() -> None:
    result = compare.run(quick=True, repetitions=1, target=0.0001)
    rows = {(row.group, row.name): row for row in result.rows}
    bare = rows[("MemoryStore", "get hit")]
    libraries = {KVDECO} | ({PYKV} if layers.pykv_class("MemoryStore") else set())
    assert set(bare.results) == libraries
    layer = rows[("one layer over MemoryStore (overhead)", "statistics: get hit")]
    assert layer.overhead and set(layer.results) == libraries
    stack = rows[("Production Ready stack over MemoryStore", "get hit")]
    assert FLOOR in stack.results
    text = result.render()
    assert "statistics: get hit" in text and "kv/pkv" in text
    assert "+-" not in text
    assert json.loads(json.dumps(result.to_json()))["rows"]


def test_the_benchmark_runs_as_a_script_from_a_checkout() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compare.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT / "docs",  # any directory: the script finds its package itself
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout


def test_the_installed_package_carries_no_benchmark() -> None:
    assert not (ROOT / "kvdeco" / "bench.py").exists()


@pytest.mark.redis
def test_redis_rows_count_round_trips_and_leave_no_key_behind(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        result = compare.run(quick=True, url=redis_url, repetitions=1, target=0.0001)
        many = [row for row in result.rows if row.group.startswith("get_many")]
        assert many and "kvdeco: 1 round trip," in many[0].note + ","
        assert any(row.group.startswith("RedisStore") for row in result.rows)
        # Every key the run wrote carries its namespace, and is deleted at the end.
        assert result.redis_namespace
        pattern = f"*{result.redis_namespace}*"
        leftovers = [k for k in client.scan_iter(match=pattern, count=1000)]
        assert leftovers == []
    finally:
        client.close()
