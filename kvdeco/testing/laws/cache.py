"""The passthrough cache law: what reads through the cache is what the store holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings as Settings

from kvdeco.testing.clock import ManualClock
from kvdeco.testing.laws._building import memory
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import MachineConfig
from kvdeco.testing.rules import build_machine


def passthrough_cache_machine(
    wrap: Callable[[Any, Any], Any], *, settings: Settings | None = None, **options: Any
) -> type[StoreMachine]:
    """A read-through cache stays coherent with the store it fronts.

    The store and the cache are ``MemoryStore`` s on one :class:`ManualClock`; every call goes
    through ``wrap(store, cache)``. After every step the machine reads every key ever written
    (which fills the cache), so each later write, delete (single and bulk),
    ``destroy_collection`` and expiry is checked against copies the cache holds: a read must
    never return a value the store no longer holds, an older value than the last write, or an
    entry past its expiry in the store. A TTL read may come from a cached copy, so it may be
    shorter than the store's (and present for an entry without one); ``cached_ttls=False``
    demands the store's own.

    Args:
        wrap: Builds the caching wrapper, such as
            ``lambda store, cache: PassthroughCacheWrapper(cache=cache, store=store)``.
        settings: Hypothesis settings.
        **options: Passed to :class:`~kvdeco.testing.model.MachineConfig`.
    """
    clock = ManualClock()
    options.setdefault("cached_ttls", True)
    cfg = MachineConfig(build=lambda: wrap(memory(clock), memory(clock)), clock=clock, **options)
    return build_machine(cfg, name="PassthroughCacheMachine", settings=settings)
