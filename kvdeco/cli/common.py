"""What the commands share: exit codes, opening a store from a URL, the Fernet key, JSON output.

Exit codes (also listed in ``kvdeco --help``):

====  ==========================================================================
code  meaning
====  ==========================================================================
0     success
1     not found: the key is missing or expired, or nothing was deleted
2     usage: bad arguments, unusable URL or path, invalid JSON or TTL, unset key variable
3     connection: the store cannot be reached or did not answer in time
4     decryption: wrong or missing Fernet key, tampered or corrupted entry
5     any other store error
====  ==========================================================================
"""

from __future__ import annotations

import enum
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from kvdeco.errors import (
    DecryptionError,
    EncryptionError,
    EncryptionVersionError,
    StoreConnectionError,
    StoreSetupError,
)

__all__ = [
    "EXIT_CODES_HELP",
    "CliError",
    "ExitCode",
    "check_redis_db",
    "connection_errors",
    "fernet_from_env",
    "open_store",
    "print_json",
    "redact",
]


class ExitCode(enum.IntEnum):
    """The exit codes of the ``kvdeco`` command."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2
    CONNECTION = 3
    DECRYPTION = 4
    STORE = 5


EXIT_CODES_HELP = """exit codes:
  0  success
  1  not found (missing or expired key, nothing deleted)
  2  usage (bad arguments, unusable URL or path, invalid JSON or TTL, unset key variable)
  3  connection (the store cannot be reached or timed out)
  4  decryption (wrong or missing Fernet key, corrupted entry)
  5  any other store error"""


class CliError(Exception):
    """An error the command reports on one line of standard error, with its exit code.

    Args:
        message: What went wrong and, where possible, what to do about it.
        code: The exit code.
    """

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


def connection_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean the store could not be reached, including the driver's own."""
    found: list[type[BaseException]] = [StoreConnectionError, ConnectionError, TimeoutError]
    try:
        from redis import exceptions as redis_errors
    except ImportError:  # the redis extra is not installed: nothing more to catch
        pass
    else:
        found += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    return tuple(found)


def decryption_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean an entry could not be decrypted."""
    return (DecryptionError, EncryptionVersionError, EncryptionError)


def redact(url: str | None) -> str:
    """``url`` fit for a message: a password in it is replaced by ``***``."""
    if not url:
        return repr(url)
    parts = urlsplit(url)
    if parts.password is None:
        return repr(url)
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return repr(parts._replace(netloc=f"{user}:***@{host}").geturl())


def open_store(url: str, *, namespace: str | None = None) -> Any:
    """Open the store a URL names.

    Accepted: ``memory://`` (an empty store in this process), ``disk:///path/file.sqlite3`` or
    a plain file path (a disk store), ``redis://``, ``rediss://`` and ``unix://`` URLs, and
    ``redis+cluster://`` / ``rediss+cluster://`` for a Redis Cluster (any one node).

    Args:
        url: The store's URL.
        namespace: The Redis store's namespace (``"kvdeco"`` when ``None``).

    Raises:
        CliError: The URL names no store kvdeco knows (exit code 2), or its driver is missing.
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        from kvdeco.stores.memory import MemoryStore

        return MemoryStore()
    if scheme in ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster"):
        return _open_redis(url, namespace)
    if scheme == "disk" or (scheme == "" and url):
        return _open_disk(url)
    raise CliError(
        f"unknown store URL {redact(url)}: use memory://, disk:///path/file.sqlite3, a file path, "
        "or redis://host:port/db",
        ExitCode.USAGE,
    )


def _store_class(module: str, name: str) -> Any:
    """A store class, imported only when a URL names it (the Redis one needs its driver)."""
    try:
        return getattr(importlib.import_module(f"kvdeco.stores.{module}"), name)
    except (ImportError, AttributeError) as error:
        raise CliError(f"{name} is not available: {error}", ExitCode.USAGE) from None


def _open_disk(url: str) -> Any:
    path = Path(urlsplit(url).path if url.startswith("disk:") else url)
    if not str(path) or str(path) == ".":
        raise CliError(f"no file path in {url!r}: use disk:///path/file.sqlite3", ExitCode.USAGE)
    if path.is_dir():
        raise CliError(f"{str(path)!r} is a directory, not a store file", ExitCode.USAGE)
    disk_store = _store_class("disk", "DiskStore")
    try:
        return disk_store(path)
    except StoreSetupError as error:
        raise CliError(str(error), ExitCode.USAGE) from None


def redis_db(url: str) -> int | None:
    """The database number in the path of a ``redis://`` or ``rediss://`` URL, if any.

    Raises:
        CliError: The path is not a database number (exit code 2); redis-py would quietly
            use database 0 instead.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("redis", "rediss"):
        return None
    text = parts.path.strip("/")
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()):
        raise CliError(
            f"{redact(url)} names database {text!r}: use a number, as in redis://host:6379/1",
            ExitCode.USAGE,
        )
    return int(text)


async def check_redis_db(url: str) -> None:
    """Connect once to the Redis server of ``url`` to see that its database exists.

    Without this a database number beyond the server's ``databases`` setting fails every
    command with a store error instead of a usage error.

    Raises:
        CliError: The server has no such database (exit code 2).
    """
    if redis_db(url) is None:
        return
    from redis import asyncio as redis_asyncio
    from redis import exceptions as redis_errors

    client = redis_asyncio.Redis.from_url(url)
    try:
        await client.ping()
    except redis_errors.ResponseError as error:
        if "DB index is out of range" not in str(error):
            raise
        raise CliError(
            f"the server at {redact(url)} has no database {redis_db(url)}", ExitCode.USAGE
        ) from None
    finally:
        await client.aclose()


def _open_redis(url: str, namespace: str | None) -> Any:
    redis_store = _store_class("redis", "RedisStore")
    redis_db(url)
    scheme, _, rest = url.partition("://")
    cluster = scheme.lower().endswith("+cluster")
    if cluster:
        url = scheme[: -len("+cluster")] + "://" + rest
    options: dict[str, Any] = {"cluster": cluster}
    if namespace is not None:
        options["namespace"] = namespace
    try:
        return redis_store(url, **options)
    except (StoreSetupError, ValueError, TypeError) as error:
        raise CliError(f"cannot use {redact(url)}: {error}", ExitCode.USAGE) from None


def fernet_from_env(variable: str) -> Any:
    """Build the Fernet to decrypt with from the environment variable named ``variable``.

    The variable holds one key, or several separated by commas (newest first) to read data
    written during a key rotation. Keys are never taken from the command line, where they
    would end up in shell history and in the process list.

    Raises:
        CliError: The variable is unset or empty, or holds no valid key (exit code 2).
    """
    from cryptography.fernet import Fernet, MultiFernet

    text = os.environ.get(variable, "").strip()
    if not text:
        raise CliError(f"environment variable {variable} is not set or empty", ExitCode.USAGE)
    try:
        fernets = [Fernet(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        # The message names the variable, never its content.
        raise CliError(
            f"environment variable {variable} does not hold a valid Fernet key "
            "(32 url-safe base64-encoded bytes; several keys are separated by commas)",
            ExitCode.USAGE,
        ) from None
    return fernets[0] if len(fernets) == 1 else MultiFernet(fernets)


def print_json(data: Any, out: TextIO | None = None) -> None:
    """Write ``data`` as indented JSON, keeping non-ASCII text readable."""
    stream = out if out is not None else sys.stdout
    stream.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
