"""Private ``redis-server`` processes for the tests: single servers and a small cluster.

Each server runs in a directory of its own, on a free port of the loopback interface, and
every signal goes to the pid this module started: the shared server the ``redis``-marked
tests use is never touched, and no process is ever found or stopped by its name.

Tests that need one skip without the ``redis-server`` binary, or fail with
``KVDECO_REQUIRE_REDIS=1`` (as continuous integration runs them)::

    def test_survives_a_pause(tmp_path):
        require_redis_server()
        with RedisProcess(tmp_path) as server:
            server.pause()
            ...
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import NoReturn

__all__ = [
    "RedisProcess",
    "free_port",
    "ping",
    "redis_cluster",
    "redis_server_binary",
    "require_redis_server",
    "skip_or_fail",
]

_CLUSTER_BUS_OFFSET = 10000
"""A cluster node also listens on its port plus this, for the other nodes."""


def redis_server_binary() -> str | None:
    """The ``redis-server`` executable on ``PATH``, or ``None`` when there is none."""
    return shutil.which("redis-server")


def skip_or_fail(problem: str, remedy: str = "") -> NoReturn:
    """Skip the calling test for ``problem``, or fail it when ``KVDECO_REQUIRE_REDIS=1``.

    Args:
        problem: What is missing, for the report.
        remedy: How to provide it, added to the reason of a skip.
    """
    import pytest  # only tests call this

    if os.environ.get("KVDECO_REQUIRE_REDIS") == "1":
        pytest.fail(f"{problem}; KVDECO_REQUIRE_REDIS=1 requires it", pytrace=False)
    pytest.skip(f"{problem}; {remedy}" if remedy else problem)


def require_redis_server(*, cli: bool = False) -> None:
    """Skip (or fail, see :func:`skip_or_fail`) the calling test without ``redis-server``.

    Args:
        cli: Also require ``redis-cli`` (to create a cluster).
    """
    wanted = ("redis-server", "redis-cli") if cli else ("redis-server",)
    missing = [name for name in wanted if shutil.which(name) is None]
    if missing:
        skip_or_fail(f"{' and '.join(missing)} not on PATH")


def free_port(*, cluster: bool = False) -> int:
    """A TCP port of 127.0.0.1 that nothing listened on a moment ago.

    Args:
        cluster: Also keep the port of the cluster bus (the port plus 10000) free.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if not cluster:
            return port
        if port + _CLUSTER_BUS_OFFSET > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bus:
            try:
                bus.bind(("127.0.0.1", port + _CLUSTER_BUS_OFFSET))
            except OSError:
                continue
        return port


def _ask(host: str, port: int, command: bytes, timeout: float) -> bytes:
    """Send one inline command and return the start of the reply."""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(command + b"\r\n")
        return conn.recv(4096)


def ping(host: str, port: int, timeout: float = 1.0) -> str | None:
    """``None`` if the Redis at ``host:port`` answers ``PING`` (or asks for a password), else
    why not."""
    try:
        reply = _ask(host, port, b"PING", timeout)
    except OSError as error:
        return f"no Redis at {host}:{port} ({error})"
    if reply.startswith((b"+PONG", b"-NOAUTH")):
        return None
    return f"Redis at {host}:{port} did not answer PING ({reply[:40]!r})"


class RedisProcess:
    """One ``redis-server`` process, restartable on the same port and data directory.

    Args:
        directory: Where the server keeps its log and, with ``durable``, its append-only file.
        durable: Log every write to an append-only file fsynced before the reply
            (``appendfsync always``), so an acknowledged write survives a ``SIGKILL``.
        port: The port to listen on; a free one by default.
        cluster: Start the server as a cluster node (see :func:`redis_cluster`).
    """

    def __init__(
        self,
        directory: Path,
        *,
        durable: bool = False,
        port: int | None = None,
        cluster: bool = False,
    ) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.directory = directory
        self.durable = durable
        self.cluster = cluster
        self.port = port if port is not None else free_port(cluster=cluster)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """The ``redis://`` URL of the server."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        """The pid of the running server."""
        if self.process is None:
            raise RuntimeError("the server is not running")
        return self.process.pid

    def _command(self) -> list[str]:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.durable
            else ["--appendonly", "no"]
        )
        node = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        return [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--save",
            "",
            *persistence,
            *(node if self.cluster else []),
            "--daemonize",
            "no",
            "--logfile",
            str(self.directory / "redis.log"),
        ]

    def start(self, timeout: float = 10.0) -> None:
        """Start the server (again, after a kill) and wait until it answers ``PING``."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is already running")
        self.process = subprocess.Popen(
            self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while ping("127.0.0.1", self.port, timeout=0.2) is not None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.directory / "redis.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{tail}")
            time.sleep(0.02)

    def pause(self) -> None:
        """Freeze the server (``SIGSTOP``): connections stay open and nothing answers."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server run again (``SIGCONT``)."""
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        """Kill the server at once (``SIGKILL``): no shutdown, no final save."""
        process = self.process
        if process is None:
            return
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """Stop the server if it runs; a paused one is resumed first so it can exit."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.kill(process.pid, signal.SIGCONT)
            process.terminate()
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> RedisProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def redis_cluster(directory: Path, masters: int = 3) -> Iterator[list[RedisProcess]]:
    """A Redis Cluster of ``masters`` nodes without replicas, stopped on exit.

    Each node keeps its files in a directory of its own under ``directory``; the slots are
    assigned with ``redis-cli --cluster create`` (see ``require_redis_server(cli=True)``).

    Yields:
        The nodes, once every one of them reports ``cluster_state:ok``.
    """
    with contextlib.ExitStack() as running:
        nodes = []
        for number in range(masters):
            home = directory / f"node{number}"
            home.mkdir()
            nodes.append(running.enter_context(RedisProcess(home, cluster=True)))
        created = subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *[f"127.0.0.1:{node.port}" for node in nodes],
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
        while not all(_cluster_ok(node.port) for node in nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not reach cluster_state:ok")
            time.sleep(0.1)
        yield nodes


def _cluster_ok(port: int) -> bool:
    try:
        return b"cluster_state:ok" in _ask("127.0.0.1", port, b"CLUSTER INFO", 1.0)
    except OSError:
        return False
