"""Fault tests run their own ``redis-server``; without one they skip (or fail in CI)."""

from __future__ import annotations

import os

import pytest

from tests.faults.redis_process import redis_server_binary


@pytest.fixture(autouse=True)
def _needs_redis_server() -> None:
    if redis_server_binary() is None:
        message = "redis-server is not installed"
        if os.environ.get("KVDECO_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
