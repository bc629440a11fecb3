"""PrefixKeysWrapper keeps the store contract and keeps each prefix's keys apart."""

from __future__ import annotations

from typing import Any

import pytest

from kvdeco import MemoryStore, PrefixKeysWrapper, prefix_keys
from kvdeco.testing import StoreContract, decorated_both_ways, laws
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


test_views_with_different_prefixes_never_meet = isolation.views_never_meet(
    lambda inner, prefix, separator: PrefixKeysWrapper(inner, prefix, separator=separator)
)

TestPrefixKeysViewsBehaveLikeDicts = laws.isolation_machine(
    PrefixKeysWrapper, names=("a", "ab")
).TestCase
