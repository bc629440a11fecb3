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
from typing import Any, ClassVar, Protocol

from kvdeco.operations import Call, Proceed

__all__ = ["Aspect", "Runtime"]


class Runtime(Protocol):
    """What runs the calls of one decorated store: an aspect, or the state it bound."""

    async def around(self, call: Call, proceed: Proceed) -> Any:
        """Handle ``call``, passing it on with ``proceed`` as needed."""
        ...


@dataclasses.dataclass(frozen=True, repr=False)
class Aspect:
    """The base of every aspect.

    Class attributes:
        label: The name its repr uses, normally the decorator's (``"prefix_keys"``).
        exposed: Attribute names of the bound runtime that a decorated store class offers as
            its own (``get_statistics`` on a class decorated with statistics).
    """

    label: ClassVar[str] = "aspect"
    exposed: ClassVar[tuple[str, ...]] = ()

    def bind(self) -> Runtime:
        """Return the runtime for one store. Stateless aspects are their own runtime."""
        return self

    async def around(self, call: Call, proceed: Proceed) -> Any:
        """Handle one call. The default passes it on unchanged."""
        return await proceed(call)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field.name}={getattr(self, field.name)!r}"
            for field in dataclasses.fields(self)
            if field.repr
        )
        return f"{self.label}({shown})"
