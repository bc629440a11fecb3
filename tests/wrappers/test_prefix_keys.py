"""PrefixKeysWrapper keeps the store contract and keeps each prefix's keys apart."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from kvdeco import MemoryStore, PrefixKeysWrapper, prefix_keys
from kvdeco.testing import StoreContract, decorated_both_ways
from tests.wrappers import isolation


class TestPrefixKeysContract(StoreContract):
    @pytest.fixture(params=["class", "instance"])
    def store(self, request: pytest.FixtureRequest) -> Any:
        return decorated_both_ways(prefix_keys("app1"), MemoryStore)[request.param]


@pytest.mark.parametrize(
    ("prefix", "separator"), [("", ":"), ("a:b", ":"), ("a_", "__"), ("a:", "::")]
)
def test_a_prefix_that_could_collide_is_refused(prefix: str, separator: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        PrefixKeysWrapper(MemoryStore(), prefix, separator=separator)


@settings(max_examples=150, deadline=None)
@given(case=isolation.cases())
def test_views_with_different_prefixes_never_meet(
    case: tuple[str, list[tuple[str, str | None, str]]],
) -> None:
    separator, drawn = case
    isolation.check_views_are_isolated(
        lambda inner, prefix: PrefixKeysWrapper(inner, prefix, separator=separator), drawn
    )
