"""Every store accepts the same TTLs and refuses the rest with InvalidTTLError."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kvdeco.errors import InvalidTTLError
from kvdeco.validation import MAX_TTL, check_ttl
from tests.stores._kinds import STORE_KINDS, store_of_kind


@pytest.fixture(params=STORE_KINDS)
async def store(request: Any, tmp_path: Path) -> AsyncIterator[Any]:
    async with store_of_kind(request.param, request, tmp_path) as each:
        yield each


TOO_LONG = [
    10**400,
    Fraction(10**400),
    Fraction(-(10**400)),
    Decimal("1e400"),
    1e20,
    1e308,
    MAX_TTL * 1.0000001,
    int(MAX_TTL) + 1,
    10**5000,  # its repr is refused by Python's digit limit: the message must not fail
]


@pytest.mark.parametrize("ttl", TOO_LONG, ids=lambda t: type(t).__name__)
async def test_a_ttl_above_the_maximum_is_refused_by_every_store(store: Any, ttl: Any) -> None:
    with pytest.raises(InvalidTTLError) as caught:
        await store.put("k", {"v": 1}, ttl=ttl)
    assert len(str(caught.value)) < 200
    with pytest.raises(InvalidTTLError):
        await store.put_many(["k"], [{"v": 1}], ttl=ttl)
    assert await store.get("k") is None


@pytest.mark.parametrize("ttl", [MAX_TTL, int(MAX_TTL), Fraction(int(MAX_TTL)), 1e-9, 0.0005])
async def test_every_store_accepts_ttls_up_to_the_maximum(store: Any, ttl: Any) -> None:
    await store.put("k", {"v": 1}, ttl=ttl)
    await store.put_many(["m"], [{"v": 2}], ttl=ttl)
    if ttl >= 1:
        value, remaining = await store.ttl("k")
        assert value == {"v": 1}
        assert remaining is not None and MAX_TTL - 60 <= remaining <= MAX_TTL
        assert (await store.get_many(["m"])) == [{"v": 2}]


def test_the_maximum_is_the_one_the_error_message_states() -> None:
    assert check_ttl(MAX_TTL) == MAX_TTL
    with pytest.raises(InvalidTTLError, match=r"<= 1e10"):
        check_ttl(float(MAX_TTL) * 2)
    assert float("1e10") == MAX_TTL
