"""The latency histogram: percentiles within one bucket of the truth, in bounded memory."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kvdeco.wrappers._latency import LatencyHistogram

durations = st.lists(
    st.floats(min_value=2e-6, max_value=100.0, allow_nan=False), min_size=1, max_size=300
)
fractions = st.sampled_from([0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 1.0])
BUCKET = 2 ** (1 / 8)


def exact(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@given(values=durations, fraction=fractions)
def test_a_percentile_is_within_one_bucket_of_the_exact_one(
    values: list[float], fraction: float
) -> None:
    histogram = LatencyHistogram()
    for value in values:
        histogram.record(value)
    truth = exact(values, fraction)
    assert truth / 1.0000001 <= histogram.quantile(fraction) <= truth * BUCKET * 1.0000001
    assert histogram.quantile(fraction) <= histogram.max == max(values)


@given(left=durations, right=durations)
def test_merging_two_histograms_is_recording_both(left: list[float], right: list[float]) -> None:
    merged, both = LatencyHistogram(), LatencyHistogram()
    for value in left:
        merged.record(value)
    other = LatencyHistogram()
    for value in right:
        other.record(value)
    merged.merge(other)
    for value in left + right:
        both.record(value)
    assert merged.count == both.count and merged.max == both.max
    assert merged.quantile(0.5) == both.quantile(0.5)
    assert merged.total == pytest.approx(both.total)


def test_memory_stays_bounded_however_wide_the_durations() -> None:
    histogram = LatencyHistogram()
    for exponent in range(-12, 12):
        for step in range(1000):
            histogram.record(10.0**exponent * (1 + step / 1000))
    assert len(histogram._counts) <= 8 * 37
    assert histogram.count == 24_000


def test_an_empty_histogram_reports_zeros_and_bad_fractions_are_refused() -> None:
    histogram = LatencyHistogram()
    assert (histogram.count, histogram.p50, histogram.p99, histogram.mean) == (0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        histogram.quantile(1.5)
