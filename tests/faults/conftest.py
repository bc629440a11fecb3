"""Fault tests run their own ``redis-server``; without one they skip (or fail in CI)."""

from __future__ import annotations

import pytest

from tests.redis_server import require_redis_server


@pytest.fixture(autouse=True)
def _needs_redis_server() -> None:
    require_redis_server()
