"""Shared fixtures: the Redis server the ``redis``-marked tests use.

Redis-backed tests use the server at ``127.0.0.1:6379`` (or ``KVDECO_REDIS_URL``). When it does
not answer ``PING`` they are skipped with the reason, unless ``KVDECO_REQUIRE_REDIS=1``, when
they fail instead (continuous integration sets it, so a missing server cannot pass silently).
Each test gets its own namespace and its keys are deleted afterwards; the shared server is
never flushed. Tests that count commands, or need a cluster, get servers of their own from
:mod:`tests.redis_server`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest

from tests.redis_server import RedisProcess, ping, redis_cluster, require_redis_server, skip_or_fail

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a Redis that answers, or skip (fail with KVDECO_REQUIRE_REDIS=1)."""
    url = os.environ.get("KVDECO_REDIS_URL", DEFAULT_REDIS_URL)
    parts = urlsplit(url)
    problem = ping(parts.hostname or "127.0.0.1", parts.port or 6379)
    if problem is not None:
        skip_or_fail(problem, "set KVDECO_REDIS_URL or start redis-server")
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


@pytest.fixture(scope="session")
def private_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test session alone, for tests that count the commands it gets."""
    require_redis_server()
    with RedisProcess(tmp_path_factory.mktemp("private-redis")) as server:
        yield server.url


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-master Redis Cluster of this test session; the URL names one of its nodes."""
    require_redis_server(cli=True)
    with redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as nodes:
        yield f"redis://127.0.0.1:{nodes[0].port}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test marked ``redis`` needs the shared server even if it asks for no Redis fixture.
    for item in items:
        names = getattr(item, "fixturenames", None)
        marked = item.get_closest_marker("redis") is not None
        if marked and names is not None and "redis_url" not in names:
            names.insert(0, "redis_url")
