"""Key rotation: rewrite a collection under the newest key of a ``MultiFernet``."""

from __future__ import annotations

import math
from typing import Any

from kvdeco.lookup import layers
from kvdeco.wrappers.encryption.base import EnvelopeEncryption

__all__ = ["reencrypt_collection"]


async def reencrypt_collection(
    store: Any, collection: str | None = None, *, batch_size: int = 100
) -> int:
    """Rewrite every entry of a collection through the store's encryption.

    After adding a new key at the front of a ``MultiFernet``, this re-encrypts each entry with
    it, so the old key can then be dropped. A store built with ``accept_v1=True`` also
    upgrades version 1 envelopes to its ``envelope_version``: afterwards a strict reader (the
    default) reads every entry. Entries are read and written in bulk, ``batch_size`` at a
    time, and keep their expiry, rounded up to the whole second. Entries written concurrently may be
    overwritten with their previous value: run it when the collection is quiet. An entry that
    does not decrypt stops the run with :class:`~kvdeco.errors.DecryptionError` (the batches
    before it stay rewritten); with ``raise_on_decryption_error=False`` it is left as it is.

    Args:
        store: An encrypted store (wrapped or of a decorated class) that can list its keys.
        collection: The collection to rewrite; ``None`` is the default one.
        batch_size: Keys per bulk read and write.

    Returns:
        How many entries were rewritten.

    Example:
        >>> from cryptography.fernet import Fernet, MultiFernet
        >>> from kvdeco import MemoryStore
        >>> from kvdeco.wrappers.encryption import FernetEncryptionWrapper
        >>> old, new = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())
        >>> store = FernetEncryptionWrapper(MemoryStore(), MultiFernet([new, old]))
        >>> import asyncio
        >>> asyncio.run(reencrypt_collection(store, "users"))  # an empty collection
        0
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError("batch_size must be a positive int")
    if not any(isinstance(aspect, EnvelopeEncryption) for aspect in layers(store)):
        raise TypeError("store does not encrypt its values: wrap it with an encryption wrapper")
    if not callable(getattr(store, "keys", None)):
        raise TypeError(f"{type(store).__name__} cannot list its keys")
    keys = list(await store.keys(collection))
    rewritten = 0
    for start in range(0, len(keys), batch_size):
        batch = keys[start : start + batch_size]
        # put_many takes one TTL, so entries are grouped by their remaining whole seconds.
        groups: dict[float | None, tuple[list[str], list[dict[str, Any]]]] = {}
        for key, (value, remaining) in zip(
            batch, await store.ttl_many(batch, collection=collection)
        ):
            if value is None or (remaining is not None and remaining <= 0):
                continue  # gone meanwhile, or unreadable and read as missing
            ttl = None if remaining is None else float(math.ceil(remaining))
            group = groups.setdefault(ttl, ([], []))
            group[0].append(key)
            group[1].append(value)
        for ttl, (group_keys, values) in groups.items():
            await store.put_many(group_keys, values, collection=collection, ttl=ttl)
            rewritten += len(group_keys)
    return rewritten
