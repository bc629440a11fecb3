"""Refuse every write and delete, so a store can be shared with code that must only read.

Reads, ``keys()``, ``collections()`` and ``cull()`` (which only drops what has expired) pass
through. ``put``, ``put_many``, ``delete``, ``delete_many``, ``destroy`` and
``destroy_collection`` raise :class:`~kvdeco.errors.ReadOnlyError`, naming the operation, the
collection and the key; with ``raise_on_write=False`` they do nothing and report so (``delete``
returns False, ``delete_many`` 0, the destroys False).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import ReadOnlyError
from kvdeco.operations import DELETE_MANY, Call, Kind, Proceed
from kvdeco.wrappers._arguments import checked, flag
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["ReadOnly", "ReadOnlyWrapper", "read_only"]


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class ReadOnly(Aspect):
    """The aspect behind :func:`read_only`."""

    label: ClassVar[str] = "read_only"
    # Reads (and culling) go straight to the store; only what changes it is looked at.
    operations: ClassVar[frozenset[str] | None] = frozenset(
        {"put", "put_many", "delete", "delete_many", "destroy", "destroy_collection"}
    )
    raise_on_write: bool = dataclasses.field(default=True, metadata=checked(flag))

    async def around(self, call: Call, proceed: Proceed) -> Any:
        """Pass reads on; refuse, or skip, writes and deletes."""
        op = call.op
        if not op.is_write:
            return await proceed(call)
        if self.raise_on_write:
            raise ReadOnlyError(
                "the store is read-only",
                operation=op.name,
                collection=call.collection,
                key=call.keys[0] if call.keys and not op.many else None,
            )
        if op.kind is Kind.WRITE:
            return None
        return 0 if op is DELETE_MANY else False


class ReadOnlyWrapper(AspectWrapper):
    """A store that can be read but not changed (the specification's ``ReadOnlyWrapper``).

    Args:
        key_value: The store to wrap.
        raise_on_write: Raise :class:`~kvdeco.errors.ReadOnlyError` on a write (the default),
            or silently do nothing.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = ReadOnlyWrapper(key_value=MemoryStore(), raise_on_write=False)
        >>> asyncio.run(store.delete("anything"))
        False
    """

    def __init__(self, key_value: Any, *, raise_on_write: bool = True) -> None:
        super().__init__(key_value, ReadOnly(raise_on_write=raise_on_write))


read_only = DecoratorFactory(
    ReadOnly,
    ReadOnlyWrapper,
    name="read_only",
    doc="""Decorate a store class or instance so it refuses writes; use bare or called.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @read_only
        ... class Archive(MemoryStore):
        ...     pass
    """,
)
