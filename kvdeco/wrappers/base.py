"""Wrapper classes: transparent proxies around a store instance.

:class:`BaseWrapper` passes every operation through unchanged; subclass it and override what
you need (the specification's "Creating Custom Wrappers"). :class:`AspectWrapper` runs every
operation through an :class:`~kvdeco.aspect.Aspect`; each wrapper of kvdeco is one, built by
its decorator or by its own constructor.

Both are ``wrapt`` object proxies: ``isinstance(wrapper, type(store))`` holds, attributes and
methods outside the protocol reach the store, ``wrapper.__wrapped__`` is the store, and
``async with wrapper as s`` gives ``s is wrapper``.
"""

from __future__ import annotations

from kvdeco._proxy import AspectWrapper, BaseWrapper

__all__ = ["AspectWrapper", "BaseWrapper"]
