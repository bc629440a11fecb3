"""The wrapper stacks the commands build: a prefixed view, the value codecs, the demo's stack."""

from __future__ import annotations

from typing import Any

from kvdeco.wrappers.compression import CompressionWrapper
from kvdeco.wrappers.encryption import FernetEncryptionWrapper
from kvdeco.wrappers.prefix_collections import PrefixCollectionsWrapper
from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper
from kvdeco.wrappers.retry import RetryWrapper
from kvdeco.wrappers.statistics import StatisticsWrapper
from kvdeco.wrappers.timeout import TimeoutWrapper

__all__ = ["codec_layers", "production_stack", "view"]


def view(
    store: Any,
    *,
    prefix_keys: str | None = None,
    prefix_collections: str | None = None,
    separator: str = ":",
) -> Any:
    """The part of ``store`` an application sees through its prefix wrappers."""
    if prefix_keys:
        store = PrefixKeysWrapper(store, prefix_keys, separator=separator)
    if prefix_collections:
        store = PrefixCollectionsWrapper(store, prefix_collections, separator=separator)
    return store


def codec_layers(
    store: Any, fernet: Any | None, *, compress: bool = True, accept_v1: bool | None = None
) -> list[Any]:
    """Compression over Fernet encryption over ``store``, as the production stack has them.

    Args:
        store: The store underneath.
        fernet: The Fernet to encrypt with; ``None`` leaves encryption out.
        compress: Whether to include compression.
        accept_v1: The encryption layer's ``accept_v1`` (whether version 1 envelopes are read).

    Returns:
        The layers from the outermost in, ending with ``store``; encryption is left out
        without a ``fernet``, compression when ``compress`` is false.
    """
    found = [store]
    if fernet is not None:
        found.insert(0, FernetEncryptionWrapper(found[0], fernet=fernet, accept_v1=accept_v1))
    if compress:
        found.insert(0, CompressionWrapper(found[0]))
    return found


def production_stack(store: Any, fernet: Any) -> list[Any]:
    """The specification's "Production Ready" stack over ``store``.

    ``StatisticsWrapper(RetryWrapper(TimeoutWrapper(CompressionWrapper(
    FernetEncryptionWrapper(store)))))``, with the wrappers' default options.

    Returns:
        The layers from the outermost (statistics) in, ending with ``store``.
    """
    found = codec_layers(store, fernet)
    found.insert(0, TimeoutWrapper(found[0]))
    found.insert(0, RetryWrapper(found[0]))
    found.insert(0, StatisticsWrapper(found[0]))
    return found
