"""A private ``redis-server`` that a test can pause, kill and restart.

The server runs in its own temporary directory on a free port of the loopback interface, and
every signal goes to the pid this object started: a shared server is never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RedisProcess", "free_port", "redis_server_binary", "require_redis_server"]


def redis_server_binary() -> str | None:
    """The ``redis-server`` executable on ``PATH``, or ``None`` when there is none."""
    return shutil.which("redis-server")


def require_redis_server() -> None:
    """Skip the calling test without ``redis-server``; with ``KVDECO_REQUIRE_REDIS``, fail it."""
    import pytest  # only tests call this

    if redis_server_binary() is None:
        if os.environ.get("KVDECO_REQUIRE_REDIS"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ping(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisProcess:
    """One ``redis-server`` process, restartable on the same port and data directory.

    Args:
        directory: Where the server keeps its log and, with ``durable``, its append-only file.
        durable: Log every write to an append-only file fsynced before the reply
            (``appendfsync always``), so an acknowledged write survives a ``SIGKILL``.
        port: The port to listen on; a free one by default.
    """

    def __init__(self, directory: Path, *, durable: bool = False, port: int | None = None) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.directory = directory
        self.durable = durable
        self.port = port if port is not None else free_port()
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
        while not _ping(self.port):
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
