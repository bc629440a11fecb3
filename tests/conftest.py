"""Shared fixtures: the Redis server the ``redis``-marked tests use.

Redis-backed tests use the server at ``127.0.0.1:6379`` (or ``KVDECO_REDIS_URL``). When it does
not answer ``PING`` they are skipped with the reason, unless ``KVDECO_REQUIRE_REDIS=1``, when
they fail instead (continuous integration sets it, so a missing server cannot pass silently).
Each test gets its own namespace and its keys are deleted afterwards; the shared server is
never flushed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
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


def _free_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + 10000 > 65535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _ask(port: int, *command: str) -> str:
    done = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *command],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return done.stdout


class _Servers:
    """redis-server processes this test session started, stopped by pid at the end."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []
        self.root = Path(tempfile.mkdtemp(prefix="kvdeco-redis-"))

    def start(self, *extra: str) -> int:
        port = _free_port()
        workdir = self.root / str(port)
        workdir.mkdir()
        process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 10
        while _redis_answers(f"redis://127.0.0.1:{port}") is not None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not start")
            time.sleep(0.05)
        return port

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _need_redis_server() -> None:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        reason = "redis-server and redis-cli are not on PATH"
        if os.environ.get("KVDECO_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}; KVDECO_REQUIRE_REDIS=1 requires them", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def private_redis_url() -> Iterator[str]:
    """A redis-server of this test session alone, for tests that count the commands it gets."""
    _need_redis_server()
    servers = _Servers()
    try:
        yield f"redis://127.0.0.1:{servers.start()}/0"
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """A three-master Redis Cluster of this test session; the URL names one of its nodes."""
    _need_redis_server()
    servers = _Servers()
    try:
        ports = [
            servers.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
            for _ in range(3)
        ]
        created = subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *[f"127.0.0.1:{p}" for p in ports],
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"cluster create failed: {created.stdout}{created.stderr}")
        deadline = time.monotonic() + 30
        while not all("cluster_state:ok" in _ask(p, "cluster", "info") for p in ports):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{ports[0]}"
    finally:
        servers.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test marked ``redis`` needs the shared server even if it asks for no Redis fixture.
    for item in items:
        names = getattr(item, "fixturenames", None)
        marked = item.get_closest_marker("redis") is not None
        if marked and names is not None and "redis_url" not in names:
            names.insert(0, "redis_url")
