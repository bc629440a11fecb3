"""Every wrapper law holds for a correct wrapper and reports a broken one.

kvdeco's own wrappers are checked where they exist; stand-ins from ``fakes`` show each law
working (and failing) until then.
"""

from __future__ import annotations

from typing import Any

import pytest

from kvdeco import MemoryStore, PrefixKeysWrapper, prefix_keys, with_statistics
from kvdeco.testing import laws
from kvdeco.wrappers.base import AspectWrapper
from kvdeco.wrappers.statistics import StatisticsWrapper
from tests.testing.conftest import caught_at_the_default_profile, violation_found
from tests.testing.fakes import (
    FakeClamp,
    FakeCompression,
    FakeFallback,
    FakeLimit,
    FakeLogging,
    FakeReadOnly,
    FakeRetry,
    FakeTimeout,
    fake_encryption,
    glued_prefix,
    stale_cache,
)

# -- transparency -------------------------------------------------------------------------

TestTransparencyOfAStackOnAnInstance = laws.transparency_machine(
    lambda clock: with_statistics(prefix_keys("p")(MemoryStore(clock=clock)))
).TestCase

TestTransparencyOfAStackOnAClass = laws.transparency_machine(
    lambda clock: with_statistics(prefix_keys("p")(MemoryStore))(clock=clock)
).TestCase

# -- isolation ----------------------------------------------------------------------------

# With the default separator, the law runs with the wrapper's own tests
# (tests/wrappers/test_prefix_keys.py).

TestPrefixKeysViewsWithATwoCharacterSeparatorAreIsolated = laws.isolation_machine(
    lambda store, name: PrefixKeysWrapper(store, prefix=name, separator="__"),
    names=("a", "ab", "b_x"),
).TestCase


def test_isolation_reports_prefix_views_that_collide() -> None:
    message, program = violation_found(laws.isolation_machine(glued_prefix, names=("a", "ab")))
    assert message.startswith(("a.", "ab."))
    assert "reads as" in message or "listed" in message or "nothing was there" in message
    assert "state." in program


# -- statistics ---------------------------------------------------------------------------

TestStatisticsCountOnAnInstance = laws.statistics_machine(
    lambda clock: StatisticsWrapper(MemoryStore(clock=clock))
).TestCase

TestStatisticsCountOnAClass = laws.statistics_machine(
    lambda clock: with_statistics(MemoryStore)(clock=clock)
).TestCase


def test_statistics_law_reports_wrong_counts() -> None:
    class Inflated(StatisticsWrapper):
        """Counts every put twice."""

        def get_statistics(self, collection: str | None = None) -> Any:
            stats = super().get_statistics(collection)
            stats.put.count *= 2
            return stats

    message, _ = violation_found(laws.statistics_machine(lambda c: Inflated(MemoryStore(clock=c))))
    assert message.startswith("statistics of put")


# -- read-only, TTL clamp -------------------------------------------------------------------

TestReadOnlyLaw = laws.read_only_machine(
    lambda store: AspectWrapper(store, FakeReadOnly()), raises=True
).TestCase


def test_read_only_law_reports_a_view_that_lets_deletes_through() -> None:
    message, _ = violation_found(
        laws.read_only_machine(lambda store: AspectWrapper(store, FakeReadOnly(leaky=True)))
    )
    assert "reached the store" in message or "returned" in message


TestTTLClampLaw = laws.ttl_clamp_machine(
    lambda store: AspectWrapper(store, FakeClamp(60, 3600)), min_ttl=60, max_ttl=3600
).TestCase


def test_ttl_clamp_law_reports_a_clamp_with_the_wrong_bound() -> None:
    message, _ = violation_found(
        laws.ttl_clamp_machine(
            lambda store: AspectWrapper(store, FakeClamp(60, 7200)), min_ttl=60, max_ttl=3600
        )
    )
    assert "outside [60.0, 3600.0]" in message


# -- encryption, compression -----------------------------------------------------------------

TestEncryptionLaw = laws.encryption_machine(fake_encryption, raise_on_error=True).TestCase


def test_encryption_law_reports_a_wrapper_that_accepts_a_moved_envelope() -> None:
    message, program = violation_found(
        laws.encryption_machine(lambda store: fake_encryption(store, sealed=False))
    )
    assert "decrypted silently" in message
    assert "state.move(" in program


def test_encryption_law_reports_a_wrapper_that_leaks_plaintext() -> None:
    message, _ = violation_found(
        laws.encryption_machine(lambda store: fake_encryption(store, leaky=True))
    )
    assert "the stored envelope contains" in message


TestCompressionLaw = laws.compression_machine(
    lambda store: AspectWrapper(store, FakeCompression())
).TestCase


def test_compression_law_reports_a_wrapper_that_never_compresses() -> None:
    message, _ = violation_found(laws.compression_machine(lambda store: store))
    assert "was not stored compressed" in message


# -- retry, fallback ------------------------------------------------------------------------

TestRetryLaw = laws.retry_machine(
    lambda store: AspectWrapper(store, FakeRetry(2)), max_retries=2
).TestCase


def test_retry_law_reports_a_retry_that_gives_up_early() -> None:
    message, _ = violation_found(
        laws.retry_machine(lambda store: AspectWrapper(store, FakeRetry(1)), max_retries=2)
    )
    assert "raised" in message or "attempts" in message


@pytest.mark.parametrize(
    ("retried", "law_retry_on"),
    [
        ((ConnectionError, TimeoutError, ValueError), (ConnectionError, TimeoutError)),
        ((Exception,), (Exception,)),
    ],
    ids=["validation and size errors", "everything"],
)
def test_retry_law_reports_a_retry_of_errors_that_are_never_retried(
    retried: tuple[type[BaseException], ...], law_retry_on: tuple[type[BaseException], ...]
) -> None:
    message, _ = caught_at_the_default_profile(
        laws.retry_machine(
            lambda store: AspectWrapper(store, FakeRetry(2, retried)),
            max_retries=2,
            retry_on=law_retry_on,
        )
    )
    assert "is never retried" in message


# -- passthrough cache ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "defect",
    [{"skips": "delete_many"}, {"skips": "put_many"}, {"outlives_store": True}],
    ids=["stale after a bulk delete", "stale after a bulk write", "outlives the store's ttl"],
)
def test_cache_law_reports_a_cache_that_serves_stale_entries(defect: dict[str, Any]) -> None:
    message, _ = caught_at_the_default_profile(
        laws.passthrough_cache_machine(lambda store, cache: stale_cache(store, cache, **defect))
    )
    assert "reads as" in message or "a cached copy may have at most" in message


# -- size limit, logging, timeout -------------------------------------------------------------

TestLimitSizeLaw = laws.limit_size_machine(
    lambda store: AspectWrapper(store, FakeLimit(64)), max_size=64
).TestCase


@pytest.mark.parametrize(
    "defect",
    [{"at_the_bound": True}, {"singles_only": True}],
    ids=["refuses the bound itself", "lets put_many through"],
)
def test_limit_size_law_reports_a_limit_in_the_wrong_place(defect: dict[str, Any]) -> None:
    message, _ = caught_at_the_default_profile(
        laws.limit_size_machine(
            lambda store: AspectWrapper(store, FakeLimit(64, **defect)), max_size=64
        )
    )
    assert "raised" in message


TestLoggingLaw = laws.logging_machine(
    lambda store, logger: AspectWrapper(store, FakeLogging(logger))
).TestCase


@pytest.mark.parametrize(
    ("defect", "report"),
    [
        ({"leaky": True}, "shows a stored value"),
        ({"skips": "delete_many"}, "completed without a log record"),
    ],
    ids=["logs values", "does not log bulk deletes"],
)
def test_logging_law_reports_a_leaky_or_silent_logger(defect: dict[str, Any], report: str) -> None:
    message, _ = caught_at_the_default_profile(
        laws.logging_machine(
            lambda store, logger: AspectWrapper(store, FakeLogging(logger, **defect))
        )
    )
    assert report in message


TestTimeoutLaw = laws.timeout_machine(
    lambda store: AspectWrapper(store, FakeTimeout(0.005)), timeout=0.005
).TestCase


def test_timeout_law_reports_a_timeout_that_misses_bulk_calls() -> None:
    message, _ = caught_at_the_default_profile(
        laws.timeout_machine(
            lambda store: AspectWrapper(store, FakeTimeout(0.005, singles_only=True)),
            timeout=0.005,
        )
    )
    assert "it should time out" in message


TestFallbackLaw = laws.fallback_machine(FakeFallback).TestCase


def test_fallback_law_reports_a_wrapper_that_never_falls_back() -> None:
    message, _ = violation_found(laws.fallback_machine(lambda primary, fallback: primary))
    assert "read of" in message or "ConnectionError" in message


def test_law_arguments_are_checked_when_the_machine_is_built() -> None:
    with pytest.raises(ValueError, match="two view names"):
        laws.isolation_machine(glued_prefix, names=("only",))
    with pytest.raises(ValueError, match="min_ttl"):
        laws.ttl_clamp_machine(lambda store: store, min_ttl=10, max_ttl=5)
    with pytest.raises(ValueError, match="max_retries"):
        laws.retry_machine(lambda store: store, max_retries=-1)
