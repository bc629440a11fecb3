"""The wrapper stacks the commands build: a prefixed view, the value codecs, the demo's stack."""

from __future__ import annotations

import importlib
from typing import Any

from kvdeco.wrappers.prefix_keys import PrefixKeysWrapper
from kvdeco.wrappers.statistics import StatisticsWrapper

__all__ = ["codec_layers", "production_stack", "view"]


def _wrapper(module: str, name: str) -> Any:
    """The wrapper class ``name`` of ``kvdeco.wrappers.<module>``, or ``None`` if absent."""
    try:
        return getattr(importlib.import_module(f"kvdeco.wrappers.{module}"), name)
    except (ImportError, AttributeError):
        return None


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
        wrapper = _wrapper("prefix_collections", "PrefixCollectionsWrapper")
        if wrapper is None:
            raise RuntimeError("PrefixCollectionsWrapper is not available")
        store = wrapper(store, prefix_collections, separator=separator)
    return store


def codec_layers(store: Any, fernet: Any | None, *, compress: bool = True) -> list[Any]:
    """Compression over Fernet encryption over ``store``, as the production stack has them.

    Returns:
        The layers from the outermost in, ending with ``store``; a layer is left out when
        not asked for (no ``fernet``) or not available.
    """
    found = [store]
    encryption = _wrapper("encryption", "FernetEncryptionWrapper")
    if fernet is not None and encryption is not None:
        found.insert(0, encryption(key_value=found[0], fernet=fernet))
    compression = _wrapper("compression", "CompressionWrapper")
    if compress and compression is not None:
        found.insert(0, compression(key_value=found[0]))
    return found


def production_stack(store: Any, fernet: Any) -> list[Any]:
    """The specification's "Production Ready" stack over ``store``.

    ``StatisticsWrapper(RetryWrapper(TimeoutWrapper(CompressionWrapper(
    FernetEncryptionWrapper(store)))))``

    Returns:
        The layers from the outermost (statistics) in, ending with ``store``.
    """
    found = codec_layers(store, fernet)
    timeout = _wrapper("timeout", "TimeoutWrapper")
    if timeout is not None:
        found.insert(0, timeout(key_value=found[0], timeout=5.0))
    retry = _wrapper("retry", "RetryWrapper")
    if retry is not None:
        found.insert(0, retry(key_value=found[0], max_retries=3))
    found.insert(0, StatisticsWrapper(key_value=found[0]))
    return found
