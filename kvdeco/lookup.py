"""Looking inside a decorated store: its layers, the store underneath, and typed access to
what a layer adds, through any stack, on both paths.

A decorated store keeps its own type (``with_statistics(MemoryStore())`` is a
``MemoryStore`` to a type checker), so the methods a layer adds are not visible on it.
These functions find the layer and return it with its real type.

Example:
    >>> from kvdeco import MemoryStore, StatisticsWrapper, layer, statistics_of, with_retry
    >>> store = with_retry(StatisticsWrapper(MemoryStore()))
    >>> layer(store, StatisticsWrapper).get_statistics().get.count
    0
    >>> statistics_of(store).get_statistics().put.count
    0
"""

from __future__ import annotations

from typing import Any, TypeVar, cast, overload

from kvdeco._proxy import AspectWrapper, BaseWrapper
from kvdeco.aspect import Aspect
from kvdeco.protocols import AsyncKeyValue
from kvdeco.wrappers.statistics import Statistics, StatisticsRecorder, StatisticsWrapper

__all__ = ["layer", "layers", "statistics_of", "unwrap"]

S = TypeVar("S")
W = TypeVar("W", bound=BaseWrapper)


@overload
def unwrap(store: BaseWrapper) -> AsyncKeyValue: ...


@overload
def unwrap(store: S) -> S: ...


def unwrap(store: Any) -> Any:
    """Return the innermost store under any stack of wrapper proxies.

    Typed as what it is given (a decorated store keeps its type), or as a store when given a
    wrapper class, whose inner store's type is not known.

    Example:
        >>> from kvdeco import MemoryStore, with_statistics, prefix_keys, unwrap
        >>> inner = MemoryStore()
        >>> unwrap(with_statistics(prefix_keys("a")(inner))) is inner
        True
    """
    while isinstance(store, BaseWrapper):
        store = store.__wrapped__
    return store


def layers(store: Any) -> list[Aspect]:
    """Return the aspects of a decorated store, from the outermost in.

    Wrapper proxies come first, then the aspects of a decorated class. A custom
    :class:`~kvdeco.wrappers.base.BaseWrapper` adds no aspect and is passed over.
    """
    found: list[Aspect] = []
    while isinstance(store, BaseWrapper):
        if isinstance(store, AspectWrapper):
            found.append(store.aspect)
        store = store.__wrapped__
    for cls in type(store).__mro__:
        aspect = cls.__dict__.get("__kvdeco_aspect__")
        if aspect is not None:
            found.append(aspect)
    return found


def _find_wrapper(store: object, wrapper: type[W]) -> W | None:
    current: Any = store
    while isinstance(current, BaseWrapper):
        # ``type()``, not ``isinstance``: a proxy reports the class of what it wraps.
        if issubclass(type(current), wrapper):
            return cast(W, current)
        current = current.__wrapped__
    return None


def layer(store: object, wrapper: type[W]) -> W:
    """Return the outermost ``wrapper`` proxy in the stack of ``store``, typed as such.

    Args:
        store: A store wrapped on the instance path, with any layers above the one wanted.
        wrapper: The wrapper class to find (``StatisticsWrapper``, ``RetryWrapper``...).

    Raises:
        LookupError: when no proxy of that class is in the stack. A class decorated with
            the layer holds no proxy: use a typed accessor such as :func:`statistics_of`.
    """
    found = _find_wrapper(store, wrapper)
    if found is None:
        raise LookupError(
            f"no {wrapper.__name__} in the stack of {type(store).__name__}; layers: "
            f"{layers(store)} (a decorated class holds no proxy: use statistics_of())"
        )
    return found


def statistics_of(store: object) -> StatisticsRecorder:
    """Return the counts kept by the outermost statistics layer of ``store``.

    Works on both paths: a ``StatisticsWrapper`` (or ``with_statistics`` applied to an
    instance) anywhere in a stack of proxies, or a class decorated with ``with_statistics``.

    Raises:
        LookupError: when ``store`` has no statistics layer.
    """
    proxy = _find_wrapper(store, StatisticsWrapper)
    if proxy is not None:
        recorder = proxy._self_runtime
        assert isinstance(recorder, StatisticsRecorder)
        return recorder
    inner: Any = store
    while isinstance(inner, BaseWrapper):
        inner = inner.__wrapped__
    if not any(isinstance(aspect, Statistics) for aspect in layers(inner)):
        raise LookupError(f"{type(store).__name__} has no statistics layer: {layers(store)}")
    # A decorated class offers its statistics layer's methods as its own; the bound method
    # leads to the recorder of this instance.
    recorder = inner.get_statistics.__self__
    assert isinstance(recorder, StatisticsRecorder)
    return recorder
