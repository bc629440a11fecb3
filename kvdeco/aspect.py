"""Aspects: what a wrapper adds to a store, as an immutable value.

An aspect is a frozen dataclass. It is hashable, comparable and picklable, its repr reads like
the call that made it, and one aspect can be shared by any number of stores. Per-store state
(statistics counters) lives in the object :meth:`Aspect.bind` returns for each store.

An aspect says only what it changes. The general hook is :meth:`Aspect.around`, which sees one
normalised :class:`~kvdeco.operations.Call` and a ``proceed`` function for the next layer::

    @dataclass(frozen=True, repr=False)
    class Shout(Aspect):
        label: ClassVar[str] = "shout"

        async def around(self, call, proceed):
            print("calling", call.op.name)
            return await proceed(call)

Two narrower bases cover the common cases: :class:`kvdeco.codec.ValueCodec` (transform each
value on the way in and out) and :class:`kvdeco.keymap.KeyMapper` (rename keys and collections).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol

from kvdeco.operations import Call, Proceed

__all__ = ["CHECK", "Aspect", "Runtime", "failed"]

CHECK = "kvdeco.check"
"""The field metadata key of a check: ``check(value, name)`` returns the value to keep."""


class Runtime(Protocol):
    """What runs the calls of one decorated store: an aspect, or the state it bound."""

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        """Handle ``call``, passing it on with ``proceed`` as needed; return an awaitable."""
        ...


@dataclasses.dataclass(frozen=True, repr=False)
class Aspect:
    """The base of every aspect.

    Class attributes:
        label: The name its repr uses, normally the decorator's (``"prefix_keys"``).
        exposed: Attribute names of the bound runtime that a decorated store class offers as
            its own (``get_statistics`` on a class decorated with statistics).
        operations: The names of the operations ``around`` handles; ``None`` (the default)
            for all. The others go straight to the inner store, at no cost: a read-only
            aspect names the writes, a TTL clamp the puts.

    Fields are checked where they are declared: a field whose metadata holds a check (see
    ``kvdeco.wrappers._arguments.checked``) keeps what the check returns, so a bad argument is
    refused when the aspect is made, with a message naming it. A subclass that also checks a
    relation between fields (a minimum above a maximum) does so in its own ``__post_init__``,
    after calling this one.
    """

    label: ClassVar[str] = "aspect"
    exposed: ClassVar[tuple[str, ...]] = ()
    operations: ClassVar[frozenset[str] | None] = None

    def __post_init__(self) -> None:
        for name, check in _checks(type(self)):
            # The one place a frozen aspect's field is set after __init__: to its checked form.
            object.__setattr__(self, name, check(getattr(self, name), name))

    def applied_to(self, target: Any) -> Aspect:
        """The aspect to apply to ``target``, a store class or instance: by default this one.

        An aspect with a default that depends on the store (telemetry names the store's
        system) returns a copy with it filled in; the class path and the wrapper both ask.
        """
        return self

    def bind(self) -> Runtime:
        """Return the runtime for one store. Stateless aspects are their own runtime."""
        return self

    def around(self, call: Call, proceed: Proceed) -> Awaitable[Any]:
        """Handle one call and return an awaitable of its result. The default passes it on.

        Overrides are usually ``async def``; a plain ``def`` that returns ``proceed``'s
        awaitable saves a coroutine per call (raise errors from the awaitable, not at once).
        """
        return proceed(call)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}"
            for field in dataclasses.fields(self)
            if field.repr
        )
        return f"{self.label}({shown})"


_CHECKS: dict[type, tuple[tuple[str, Callable[[Any, str], Any]], ...]] = {}


def _checks(cls: type[Aspect]) -> tuple[tuple[str, Callable[[Any, str], Any]], ...]:
    """The fields of ``cls`` that have a check, with it (worked out once per class)."""
    found = _CHECKS.get(cls)
    if found is None:
        found = _CHECKS[cls] = tuple(
            (field.name, field.metadata[CHECK])
            for field in dataclasses.fields(cls)
            if CHECK in field.metadata
        )
    return found


async def failed(error: BaseException) -> Any:
    """An awaitable that raises ``error``: how a plain-``def`` ``around`` reports a bad call.

    Raising at once would surprise a caller who creates the awaitable now and awaits it later
    (``asyncio.gather``, tasks): a coroutine method raises only when awaited.
    """
    raise error
