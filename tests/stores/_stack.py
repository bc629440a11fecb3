"""The stack of wrappers every store's contract is also run through."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet

from kvdeco import (
    compressed,
    encrypted,
    prefix_keys,
    with_retry,
    with_statistics,
    with_timeout,
)

_KEY = Fernet.generate_key()


def wrapper_stack(store: Any) -> Any:
    """``store`` under statistics, retry, timeout, compression, encryption and a key prefix.

    Outermost first: a value is compressed (every one, however small), then encrypted, and the
    key prefixed on its way to the store.
    """
    codecs = compressed(min_size_to_compress=1)(
        encrypted(Fernet(_KEY))(prefix_keys("tenant")(store))
    )
    return with_statistics(with_retry(with_timeout(5.0)(codecs)))
