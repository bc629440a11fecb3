"""Shared fixtures: the Redis server the ``redis``-marked tests use.

Redis-backed tests use the server at ``127.0.0.1:6379`` (or ``KVDECO_REDIS_URL``). When it does
not answer ``PING`` they are skipped with the reason, unless ``KVDECO_REQUIRE_REDIS=1``, when
they fail instead (continuous integration sets it, so a missing server cannot pass silently).
Each test gets its own namespace and its keys are deleted afterwards; the shared server is
never flushed.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers(url: str) -> str | None:
    """None if the server at ``url`` answers PING, else why not."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError as error:
        return f"no Redis at {host}:{port} ({error})"
    if reply.startswith((b"+PONG", b"-NOAUTH")):
        return None
    return f"Redis at {host}:{port} did not answer PING ({reply[:40]!r})"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a Redis that answers, or skip (fail with KVDECO_REQUIRE_REDIS=1)."""
    url = os.environ.get("KVDECO_REDIS_URL", DEFAULT_REDIS_URL)
    problem = _redis_answers(url)
    if problem is not None:
        if os.environ.get("KVDECO_REQUIRE_REDIS") == "1":
            pytest.fail(f"{problem}; KVDECO_REQUIRE_REDIS=1 requires it", pytrace=False)
        pytest.skip(f"{problem}; set KVDECO_REDIS_URL or start redis-server")
    yield url


@pytest.fixture
def redis_namespace() -> str:
    """A namespace no other test uses."""
    return f"kvdeco-test-{uuid.uuid4().hex}"


@pytest.fixture
async def redis_store(redis_url: str, redis_namespace: str) -> AsyncIterator[object]:
    """A RedisStore in its own namespace; its keys are deleted after the test."""
    from kvdeco.stores.redis import RedisStore

    store = RedisStore(redis_url, namespace=redis_namespace)
    try:
        yield store
    finally:
        await store.destroy()
        await store.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test marked ``redis`` needs the server even if it asks for no Redis fixture itself.
    for item in items:
        if item.get_closest_marker("redis") is not None and "redis_url" not in getattr(
            item, "fixturenames", ()
        ):
            item.fixturenames.append("redis_url")  # type: ignore[attr-defined]
