"""Decorators derived from their aspect classes: bare use, called use, and what they refuse."""

from __future__ import annotations

import pytest

from kvdeco import (
    MemoryStore,
    TimeoutWrapper,
    layers,
    logged,
    read_only,
    with_retry,
    with_statistics,
    with_timeout,
)
from kvdeco.wrappers.retry import Retry
from kvdeco.wrappers.timeout import Timeout
from kvdeco.wrappers.ttl_jitter import ttl_jitter


def test_bare_with_timeout_applies_the_default_timeout_on_both_paths() -> None:
    @with_timeout
    class QuickStore(MemoryStore):
        pass

    assert layers(QuickStore()) == [Timeout(timeout=5.0)]
    wrapped = with_timeout(MemoryStore())
    assert isinstance(wrapped, TimeoutWrapper)
    assert layers(wrapped) == [Timeout(timeout=5.0)]


def test_a_positional_option_is_still_an_option() -> None:
    assert with_timeout(0.5).aspect == Timeout(timeout=0.5)
    assert with_timeout(timeout=0.5) == with_timeout(0.5)


def test_bare_and_called_use_build_the_same_layer() -> None:
    for decorator in (with_retry, logged, read_only, with_statistics, with_timeout, ttl_jitter):
        assert layers(decorator(MemoryStore())) == layers(decorator()(MemoryStore()))


def test_options_are_keyword_only_aspect_fields() -> None:
    assert with_retry(max_retries=1).aspect == Retry(max_retries=1)
    with pytest.raises(TypeError):
        Retry(1)  # type: ignore[call-arg]


def test_a_non_store_is_refused_not_taken_for_an_option() -> None:
    with pytest.raises(TypeError, match="is not one"):
        with_retry(object())  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="timeout must be a number"):
        with_timeout("soon")  # type: ignore[call-overload]


def test_the_decorator_names_itself() -> None:
    assert with_retry.__name__ == "with_retry"
    assert "retry" in (with_retry.__doc__ or "")
    assert repr(with_timeout) == "<decorator with_timeout>"
