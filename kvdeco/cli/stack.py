"""The wrapper stacks the commands build: a prefixed view, the value codecs, the demo's stack."""

from __future__ import annotations

from typing import Any

from kvdeco.stacking import Stack
from kvdeco.wrappers.base import BaseWrapper
from kvdeco.wrappers.compression import compressed
from kvdeco.wrappers.encryption import encrypted
from kvdeco.wrappers.prefix_collections import PrefixCollectionsWrapper
from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper
from kvdeco.wrappers.retry import with_retry
from kvdeco.wrappers.statistics import with_statistics
from kvdeco.wrappers.timeout import with_timeout

__all__ = ["codec_layers", "production", "production_stack", "view"]


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
    stack = Stack(compressed) if compress else Stack()
    if fernet is not None:
        stack |= encrypted(fernet=fernet, accept_v1=accept_v1)
    return _layers_of(stack(store))


def production(fernet: Any) -> Stack:
    """py-key-value's "Production Ready" stack, as a value, with the wrappers' defaults.

    ``StatisticsWrapper(RetryWrapper(TimeoutWrapper(CompressionWrapper(
    FernetEncryptionWrapper(store)))))``, written outermost first.
    """
    return with_statistics | with_retry | with_timeout | compressed | encrypted(fernet=fernet)


def production_stack(store: Any, fernet: Any) -> list[Any]:
    """The production stack over ``store``.

    Returns:
        The layers from the outermost (statistics) in, ending with ``store``.
    """
    return _layers_of(production(fernet)(store))


def _layers_of(top: Any) -> list[Any]:
    found = [top]
    while isinstance(found[-1], BaseWrapper):
        found.append(found[-1].__wrapped__)
    return found
