"""Inspecting a live store: ``get``, ``ttl``, ``put``, ``delete``, ``keys``, ``collections``.

Reads show the value as the application sees it: an encrypted entry is decrypted with the key
from the environment variable named by ``--fernet-key-env`` and a compressed one is
decompressed. ``--raw`` shows what the store holds instead. Output is JSON on standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kvdeco.cli.common import CliError, ExitCode, fernet_from_env, print_json
from kvdeco.cli.stack import codec_layers, view
from kvdeco.stores.memory import MemoryStore

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("get", "ttl", "put", "delete", "keys", "collections")

_ENCRYPTED = "__encrypted_data__"
_COMPRESSED = "__compressed_data__"


def add_commands(commands: Any) -> None:
    """Add the inspection subcommands to an ``argparse`` subparsers object."""

    def key_command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        parser.add_argument("key", help="the key, as the application names it")
        parser.add_argument("-c", "--collection", help="the collection (default: the default)")
        return parser

    get = key_command("get", "print the value stored under a key")
    get.add_argument("--raw", action="store_true", help="print what the store holds, undecoded")
    ttl = key_command("ttl", "print a value and its remaining time to live")
    ttl.add_argument("--raw", action="store_true", help="print what the store holds, undecoded")
    put = key_command("put", "store a JSON object under a key")
    put.add_argument("value", help="a JSON object, or - to read it from standard input")
    put.add_argument("--ttl", type=float, help="seconds to live (default: no expiry)")
    put.add_argument(
        "--compress", action="store_true", help="gzip the value as CompressionWrapper would"
    )
    key_command("delete", "delete a key")
    keys = commands.add_parser("keys", help="list the keys of a collection")
    keys.add_argument("-c", "--collection", help="the collection (default: the default)")
    keys.add_argument("--limit", type=int, help="list at most this many")
    collections = commands.add_parser("collections", help="list the collections")
    collections.add_argument("--limit", type=int, help="list at most this many")


async def run(store: Any, args: argparse.Namespace) -> ExitCode:
    """Run one inspection command against ``store`` (already opened from ``--url``)."""
    try:
        target = view(
            store,
            prefix_keys=args.prefix_keys,
            prefix_collections=args.prefix_collections,
            separator=args.separator,
        )
    except ValueError as error:  # a prefix the wrappers refuse, e.g. one holding the separator
        raise CliError(str(error), ExitCode.USAGE) from None
    fernet = fernet_from_env(args.fernet_key_env) if args.fernet_key_env else None
    command = args.command
    if command in ("keys", "collections"):
        return await _listing(target, args)
    if command == "put":
        return await _put(target, fernet, args)
    if command == "delete":
        deleted = await target.delete(args.key, collection=args.collection)
        print_json({"collection": args.collection, "key": args.key, "deleted": deleted})
        return ExitCode.OK if deleted else ExitCode.NOT_FOUND
    stored, remaining = await target.ttl(args.key, collection=args.collection)
    if stored is None:
        raise CliError(_where("no entry", args), ExitCode.NOT_FOUND)
    out: dict[str, Any] = {"collection": args.collection, "key": args.key}
    if args.raw:
        out["stored"] = stored
    else:
        out["encoding"], out["value"] = await decode(stored, args.key, args.collection, fernet)
    if command == "ttl":
        out["ttl"] = remaining
    print_json(out)
    return ExitCode.OK


async def decode(
    stored: dict[str, Any], key: str, collection: str | None, fernet: Any | None
) -> tuple[list[str], dict[str, Any]]:
    """Decode what the store holds into the application's value, with the real wrappers.

    The entry is read back through the same wrappers, over a scratch store holding it under
    the same key and collection, so an envelope bound to its key decrypts as it would in the
    application.

    Returns:
        The encodings found, outermost first (``"fernet v2"``, ``"gzip"``), and the value.
    """
    encoding: list[str] = []
    if _ENCRYPTED in stored:
        if fernet is None:
            raise CliError(
                f"{_where('the entry', key=key, collection=collection)} is encrypted: name the "
                "environment variable that holds its Fernet key with --fernet-key-env",
                ExitCode.DECRYPTION,
            )
        encoding.append(f"fernet v{stored.get('__encryption_version__')}")
    scratch = MemoryStore()
    await scratch.put(key, stored, collection=collection)
    layers = codec_layers(scratch, fernet)
    inner = layers[-2] if fernet is not None and len(layers) > 2 else scratch
    middle = await inner.get(key, collection=collection)
    if middle is not None and _COMPRESSED in middle:
        encoding.append(str(middle.get("__compression_algorithm__", "compressed")))
    value = await layers[0].get(key, collection=collection)
    if value is None:
        # raise_on_decryption_error=False would give this; ours raises, so this is defensive.
        raise CliError(
            _where("the entry", key=key, collection=collection) + " does not decode",
            ExitCode.DECRYPTION,
        )
    return encoding, value


async def _put(target: Any, fernet: Any | None, args: argparse.Namespace) -> ExitCode:
    text = sys.stdin.read() if args.value == "-" else args.value
    try:
        value = json.loads(text)
    except ValueError as error:
        raise CliError(f"the value is not valid JSON: {error}", ExitCode.USAGE) from None
    if not isinstance(value, dict):
        raise CliError("the value must be a JSON object ({...})", ExitCode.USAGE)
    writer = codec_layers(target, fernet, compress=args.compress)[0]
    await writer.put(args.key, value, collection=args.collection, ttl=args.ttl)
    print_json({"collection": args.collection, "key": args.key, "stored": True})
    return ExitCode.OK


async def _listing(target: Any, args: argparse.Namespace) -> ExitCode:
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1", ExitCode.USAGE)
    name = args.command
    if not hasattr(target, name):
        raise CliError(f"this store cannot list its {name}", ExitCode.USAGE)
    if name == "keys":
        found = await target.keys(args.collection, limit=args.limit)
        print_json({"collection": args.collection, "keys": sorted(found)})
    else:
        found = await target.collections(limit=args.limit)
        print_json({"collections": sorted(found)})
    return ExitCode.OK


def _where(
    what: str,
    args: argparse.Namespace | None = None,
    *,
    key: str | None = None,
    collection: str | None = None,
) -> str:
    if args is not None:
        key, collection = args.key, args.collection
    where = f"{what} for key {key!r}"
    return where + (f" in collection {collection!r}" if collection else "")
