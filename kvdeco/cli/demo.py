"""``kvdeco demo``: a workload through the production stack, its statistics, and what is stored.

The stack is the specification's "Production Ready" one::

    StatisticsWrapper(RetryWrapper(TimeoutWrapper(CompressionWrapper(
        FernetEncryptionWrapper(store)))))

Small session records and large documents go through it. Afterwards the demo prints what the
statistics wrapper counted, then, for one entry of each kind, the value next to what each
layer below handed down, so compression and encryption can be seen at work.
"""

from __future__ import annotations

import json
import random
import secrets
from typing import Any, TextIO

from kvdeco.cli.stack import production_stack
from kvdeco.progress import ProgressBar
from kvdeco.stores.memory import MemoryStore
from kvdeco.wrappers.base import BaseWrapper
from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper

__all__ = ["run_demo"]

_WORDS = [
    "store",
    "wrapper",
    "value",
    "key",
    "collection",
    "retry",
    "timeout",
    "cache",
    "encrypt",
    "compress",
    "expire",
    "tenant",
    "session",
    "document",
    "record",
    "budget",
    "latency",
    "replica",
    "shard",
]


def _document(rng: random.Random, number: int) -> dict[str, Any]:
    """A document whose JSON is a few KiB of repetitive text: it compresses well."""
    words = rng.choices(_WORDS, k=rng.randint(300, 600))
    return {"id": number, "title": f"report {number}", "body": " ".join(words)}


async def run_demo(
    operations: int,
    seed: int,
    out: TextIO,
    *,
    store: Any = None,
    fernet: Any = None,
    progress: TextIO | None = None,
) -> Any:
    """Run the workload and print the statistics and a look at the stored entries.

    Args:
        operations: How many store operations to run.
        seed: Seed of the random workload.
        out: Where the report is printed.
        store: The store to use; a fresh :class:`~kvdeco.stores.memory.MemoryStore` if
            omitted. Another store is written under a unique key prefix, removed at the end.
        fernet: The Fernet to encrypt with; a fresh random key if omitted.
        progress: Where the progress bar is drawn (standard error by default).

    Returns:
        The statistics wrapper at the top of the stack.
    """
    from cryptography.fernet import Fernet

    base = MemoryStore() if store is None else store
    if store is not None:
        base = PrefixKeysWrapper(base, f"kvdeco-demo-{secrets.token_hex(4)}")
    layers = production_stack(base, fernet if fernet is not None else Fernet(Fernet.generate_key()))
    top = layers[0]
    rng = random.Random(seed)
    users = [f"user:{n}" for n in range(200)]
    documents = [f"doc:{n}" for n in range(40)]
    bar = ProgressBar(operations, "demo", stream=progress)
    try:
        for _ in range(operations):
            await _one_operation(top, rng, users, documents)
            bar.advance()
        _print_statistics(top, out)
        await _print_stored(layers, users, documents, out)
    finally:
        if store is not None:  # leave nothing behind in a shared store
            await base.delete_many(users, collection="sessions")
            await base.delete_many(documents, collection="documents")
    return top


async def _one_operation(
    top: Any, rng: random.Random, users: list[str], documents: list[str]
) -> None:
    roll = rng.random()
    if roll < 0.35:
        await top.get(rng.choice(users), collection="sessions")
    elif roll < 0.6:
        user = rng.choice(users)
        session = {"user": user, "visits": rng.randint(1, 99), "theme": rng.choice(_WORDS)}
        await top.put(user, session, collection="sessions", ttl=300)
    elif roll < 0.7:
        await top.get_many(rng.sample(users, 5), collection="sessions")
    elif roll < 0.8:
        await top.delete(rng.choice(users), collection="sessions")
    elif roll < 0.9:
        await top.get(rng.choice(documents), collection="documents")
    else:
        number = rng.randrange(len(documents))
        await top.put(f"doc:{number}", _document(rng, number), collection="documents")


def _print_statistics(top: Any, out: TextIO) -> None:
    stats = top.get_statistics()
    print(
        f"{'operation':<10}{'count':>8}{'hits':>8}{'misses':>8}{'errors':>8}{'hit rate':>10}"
        f"{'p50 ms':>9}{'p99 ms':>9}",
        file=out,
    )
    for name in ("get", "ttl", "put", "delete"):
        row = getattr(stats, name)
        rate = f"{row.hit_rate():.1%}" if row.hits + row.misses else "-"
        latency = row.latency
        p50, p99 = (
            (f"{latency.p50 * 1000:.3f}", f"{latency.p99 * 1000:.3f}")
            if latency.count
            else ("-", "-")
        )
        print(
            f"{name:<10}{row.count:>8}{row.hits:>8}{row.misses:>8}{row.errors:>8}{rate:>10}"
            f"{p50:>9}{p99:>9}",
            file=out,
        )
    names = " > ".join(type(layer).__name__ for layer in _layers_of(top))
    print(f"\nstack: {names}", file=out)


def _layers_of(top: Any) -> list[Any]:
    found = [top]
    while isinstance(found[-1], BaseWrapper):
        found.append(found[-1].__wrapped__)
    return found


async def _print_stored(
    layers: list[Any], users: list[str], documents: list[str], out: TextIO
) -> None:
    # Reading through each value transform, then from the layer under the last one, shows
    # what every transform handed down: the value, then gzip's envelope, then Fernet's.
    # Positions, not list.index(): a proxy compares equal to the store it wraps.
    places = [n for n, layer in enumerate(layers) if type(layer).__name__ in _DOES]
    transforms = [layers[n] for n in places]
    below = layers[places[-1] + 1] if places else layers[-1]
    rows = [("value", transforms[0] if transforms else below)]
    rows += [
        (_DOES[type(above).__name__], layer)
        for above, layer in zip(transforms, [*transforms[1:], below])
    ]
    print(
        "\nwhat each layer hands down (the last row is what the store holds; gzip leaves "
        "values under 1 KiB of JSON as they are):",
        file=out,
    )
    for collection, keys in (("sessions", users), ("documents", documents)):
        for key in keys:
            if await below.get(key, collection=collection) is not None:
                break
        else:
            continue
        print(f"{collection}/{key}", file=out)
        for label, layer in rows:
            _print_row(label, await layer.get(key, collection=collection), out)


_DOES = {"CompressionWrapper": "+gzip", "FernetEncryptionWrapper": "+fernet"}
"""The value transforms of the stack, and what each does to what it hands down (gzip only
values of at least 1 KiB of JSON)."""


def _print_row(label: str, value: Any, out: TextIO, width: int = 72) -> None:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode())
    shown = text if len(text) <= width else text[: width - 3] + "..."
    print(f"  {label:<8}{size:>6} B  {shown}", file=out)
