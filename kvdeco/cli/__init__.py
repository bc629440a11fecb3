"""The ``kvdeco`` command line (also ``python -m kvdeco``).

``kvdeco demo`` runs a workload through the production stack and shows what it stored;
``get``, ``ttl``, ``put``, ``delete``, ``keys`` and
``collections`` inspect a live store named by ``--url``. See :mod:`kvdeco.cli.common` for the
exit codes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

from kvdeco.cli import demo as demo_command
from kvdeco.cli import inspection as inspect_commands
from kvdeco.cli.cached_demo import run_cached_demo
from kvdeco.cli.common import (
    EXIT_CODES_HELP,
    CliError,
    ExitCode,
    check_redis_db,
    connection_errors,
    decryption_errors,
    fernet_from_env,
    open_store,
    redact,
)
from kvdeco.errors import (
    BaseKeyValueError,
    InvalidKeyError,
    InvalidTTLError,
    SerializationError,
    StoreSetupError,
)

__all__ = ["ExitCode", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kvdeco`` command."""
    parser = argparse.ArgumentParser(
        prog="kvdeco",
        description="Decorated async key-value stores: a demo, and inspection of a live store.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("KVDECO_URL"),
        help="the store: memory://, disk:///path/file.sqlite3 (or a file path), "
        "redis://host:port/db (default: $KVDECO_URL)",
    )
    parser.add_argument(
        "--namespace", help="the Redis store's namespace, the first part of its keys ('kvdeco')"
    )
    parser.add_argument("--prefix-keys", metavar="P", help="read through PrefixKeysWrapper(P)")
    parser.add_argument(
        "--prefix-collections", metavar="P", help="read through PrefixCollectionsWrapper(P)"
    )
    parser.add_argument(
        "--separator",
        default=":",
        help="separator of the prefixes (':' by default; '__' for py-key-value's data)",
    )
    parser.add_argument(
        "--fernet-key-env",
        metavar="VAR",
        help="name of the environment variable holding the Fernet key (several keys: "
        "comma-separated, newest first)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="run a workload through the production stack")
    demo.add_argument("--operations", type=int, default=5000, help="how many operations")
    demo.add_argument("--seed", type=int, default=7, help="seed of the random workload")
    demo.add_argument("--url", default=argparse.SUPPRESS, help="a store instead of memory")
    cached_demo = commands.add_parser(
        "demo-cached", help="run a cached function over the production stack"
    )
    cached_demo.add_argument("--calls", type=int, default=2000, help="how many calls")
    cached_demo.add_argument("--seed", type=int, default=7, help="seed of the random workload")
    inspect_commands.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (see :class:`ExitCode`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_options(args)
        return asyncio.run(_run(args))
    except CliError as error:
        _fail(str(error))
        return error.code
    except connection_errors() as error:
        _fail(f"cannot reach the store at {redact(args.url)}: {error}")
        return ExitCode.CONNECTION
    except (StoreSetupError, InvalidTTLError, InvalidKeyError, SerializationError) as error:
        _fail(str(error))  # an unusable path, or a TTL, key or value the store refuses
        return ExitCode.USAGE
    except decryption_errors() as error:
        _fail(f"cannot decrypt: {error} (is --fernet-key-env the right key?)")
        return ExitCode.DECRYPTION
    except (BaseKeyValueError, ValueError, TypeError) as error:
        _fail(str(error))
        return ExitCode.STORE


_REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")


def _is_redis(url: str | None) -> bool:
    return url is not None and url.partition("://")[0].lower() in _REDIS_SCHEMES


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options that would otherwise be ignored or fail later as a store error."""
    if args.separator == "":
        raise CliError("--separator must not be empty", ExitCode.USAGE)
    if args.namespace is not None and not _is_redis(args.url):
        raise CliError("--namespace applies to a Redis --url only", ExitCode.USAGE)


async def _run(args: argparse.Namespace) -> int:
    if args.command == "demo-cached":
        if args.calls < 0:
            raise CliError("--calls must be at least 0", ExitCode.USAGE)
        await run_cached_demo(args.calls, args.seed, sys.stdout)
        return ExitCode.OK
    if args.command == "demo":
        if args.operations < 0:
            raise CliError("--operations must be at least 0", ExitCode.USAGE)
        store = open_store(args.url, namespace=args.namespace) if args.url else None
        fernet = fernet_from_env(args.fernet_key_env) if args.fernet_key_env else None
        try:
            if args.url:
                await check_redis_db(args.url)
            await demo_command.run_demo(
                args.operations, args.seed, sys.stdout, store=store, fernet=fernet
            )
        finally:
            await _close(store)
        return ExitCode.OK
    if not args.url:
        raise CliError(
            f"{args.command} needs a store: pass --url (or set KVDECO_URL)", ExitCode.USAGE
        )
    store = open_store(args.url, namespace=args.namespace)
    try:
        await check_redis_db(args.url)
        return await inspect_commands.run(store, args)
    finally:
        await _close(store)


async def _close(store: Any) -> None:
    """Close a store opened from ``--url`` (every kvdeco store has an async ``close``)."""
    if store is not None:
        await store.close()


def _fail(message: str) -> None:
    print(f"kvdeco: error: {message}", file=sys.stderr)
