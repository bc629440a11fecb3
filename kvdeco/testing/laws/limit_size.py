"""The size limit law: values within the bounds are kept, the others refused or skipped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st

from kvdeco.errors import EntryTooLargeError, EntryTooSmallError
from kvdeco.testing.clock import ManualClock
from kvdeco.testing.laws._building import memory
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import MachineConfig
from kvdeco.testing.rules import build_machine

_PADDING = len(json.dumps({"p": ""}))


def size_of(value: Any) -> int:
    """The size a limit measures: the characters of ``json.dumps(value, sort_keys=True)``."""
    return len(json.dumps(value, sort_keys=True))


def _sized(sizes: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    """Values of exactly the given sizes (and their neighbours), so the bounds are hit."""
    # The bound itself three times as often as each neighbour.
    exact = [n for s in sizes for n in (s - 1, s, s, s, s + 1) if n >= _PADDING]
    return st.sampled_from(exact).map(lambda n: {"p": "x" * (n - _PADDING)})


class _LimitSizeMachine(StoreMachine):
    wrap: Callable[[Any], Any]
    bounds: tuple[int | None, int | None]
    raises: bool

    def build(self) -> Any:
        return type(self).wrap(memory(self.config.clock))  # type: ignore[arg-type]

    def misfit(self, value: Any) -> type[Exception] | None:
        """The error a value out of bounds meets, or ``None`` if it fits."""
        low, high = self.bounds
        size = size_of(value)
        if high is not None and size > high:
            return EntryTooLargeError
        if low is not None and size < low:
            return EntryTooSmallError
        return None

    def refused(self, view: int, call: str, write: Any, errors: list[type[Exception]]) -> bool:
        """Run ``write`` when a value is out of bounds; True if it was refused as it must be."""
        if not self.raises:
            return False
        try:
            self.run(write)
        except tuple(errors):
            return True
        except Exception as error:
            self.fail(
                view, call, f"raised {type(error).__name__}: {error}; expected {errors[0].__name__}"
            )
        self.fail(view, call, f"raised nothing; a value of {errors[0].__name__} size was given")

    def do_put(self, view: int, key: str, collection: str | None, value: Any, ttl: Any) -> None:
        error = self.misfit(value)
        if error is None:
            return super().do_put(view, key, collection, value, ttl)
        call = f"put({key!r}, <{size_of(value)} characters>, collection={collection!r})"
        write = self.views[view].put(key, value, collection=collection, ttl=ttl)
        if not self.refused(view, call, write, [error]):
            result = self.run(write)
            if result is not None:
                self.fail(view, call, f"returned {result!r}, not None")
        # Refused or skipped: the key keeps what it held before.

    def do_put_many(
        self, view: int, items: list[tuple[str, Any]], collection: str | None, ttl: Any
    ) -> None:
        errors = [e for e in (self.misfit(v) for _, v in items) if e is not None]
        if not errors:
            return super().do_put_many(view, items, collection, ttl)
        keys = [k for k, _ in items]
        call = f"put_many({keys!r}, <sizes {[size_of(v) for _, v in items]}>, ...)"
        write = self.views[view].put_many(
            keys, [v for _, v in items], collection=collection, ttl=ttl
        )
        if self.refused(view, call, write, errors):
            return  # nothing of it is written
        self.run(write)
        t = self.now()
        for key, value in items:
            if self.misfit(value) is None:
                self.remember(view, collection, key, value, ttl, t, t)


def limit_size_machine(
    wrap: Callable[[Any], Any],
    *,
    max_size: int | None = None,
    min_size: int | None = None,
    raises: bool = True,
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """A size limit keeps every value within ``[min_size, max_size]`` (both inclusive) and
    behaves like the model for them; a value out of bounds raises ``EntryTooLargeError`` or
    ``EntryTooSmallError`` and writes nothing (a ``put_many`` with one such value writes
    none of its values), or, with ``raises=False``, is skipped while the others are written.
    Values of exactly the bounds and their neighbours are written often.

    Args:
        wrap: Builds the limiting wrapper over a store.
        max_size: The wrapper's ``max_size``, in characters of JSON.
        min_size: The wrapper's ``min_size``.
        raises: Whether the wrapper raises (``raise_on_too_large``/``raise_on_too_small``).
        settings: Hypothesis settings.
    """
    if max_size is None and min_size is None:
        raise ValueError("give max_size, min_size or both")
    clock = ManualClock()
    sizes = [s for s in (min_size, max_size) if s is not None]
    values = st.one_of(
        _sized(sizes), _sized(sizes), st.fixed_dictionaries({"n": st.integers(0, 3)})
    )
    cfg = MachineConfig(build=lambda: None, clock=clock, values=values)
    base = type(
        "_LimitSize",
        (_LimitSizeMachine,),
        {"wrap": staticmethod(wrap), "bounds": (min_size, max_size), "raises": raises},
    )
    return build_machine(cfg, base, name="LimitSizeMachine", settings=settings)
