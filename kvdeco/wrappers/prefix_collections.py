"""Prefix every collection, so that environments or tenants share one store without meeting.

``prefix_collections("prod")`` stores collection ``users`` as ``prod:users``; the default
collection (``None`` or ``""``) becomes ``prod:default_collection``, as py-key-value does, so
the view's default collection is still apart from the inner store's. The prefix may not
contain the separator nor end with part of it, so no two prefixes can produce the same stored
collection. Through the view, ``collections()`` lists only the view's collections, without the
prefix; ``destroy_collection(c)`` destroys the inner ``prod:c``; ``destroy()`` destroys only
the view's collections. py-key-value writes ``prod__users``: pass ``separator="__"`` to share
its data.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.keymap import KeyMapper, check_separator_free
from kvdeco.operations import DESTROY_COLLECTION, Call, Proceed
from kvdeco.validation import DEFAULT_COLLECTION, collection_name
from kvdeco.wrappers._arguments import checked, text
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["PrefixCollections", "PrefixCollectionsWrapper", "prefix_collections"]


def _default_collection(value: Any, name: str) -> str:
    """The name of the view's default collection: ``None`` and ``""`` leave py-key-value's."""
    if value is None or value == "":
        return DEFAULT_COLLECTION
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a non-empty str")
    return value


@dataclasses.dataclass(frozen=True, repr=False)
class PrefixCollections(KeyMapper):
    """The aspect behind :func:`prefix_collections`."""

    label: ClassVar[str] = "prefix_collections"
    prefix: str = dataclasses.field(metadata=checked(text))
    _: dataclasses.KW_ONLY
    separator: str = dataclasses.field(default=":", metadata=checked(text))
    # None stands for py-key-value's name; the field keeps the name, which the repr shows.
    default_collection: str | None = dataclasses.field(
        default=None, metadata=checked(_default_collection)
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        check_separator_free(self.prefix, "prefix", self.separator)

    @functools.cached_property
    def _head(self) -> str:
        # Computed once per aspect: every key or collection name is prefixed with it.
        return self.prefix + self.separator

    @functools.cached_property
    def _default_inner(self) -> str:
        name = self.default_collection
        assert name is not None  # the field's check replaced None by the name it stands for
        return self._head + name

    def inner_collection(self, collection: str | None) -> str:
        if not collection:
            return self._default_inner
        return self._head + collection_name(collection)

    async def list_collections(self, call: Call, proceed: Proceed) -> list[str]:
        head = self._head
        return [name[len(head) :] for name in await proceed(call) if name.startswith(head)]

    async def destroy_view_collection(self, call: Call, proceed: Proceed) -> bool:
        # The view owns the whole inner collection, so it can be destroyed in one call.
        inner = Call(DESTROY_COLLECTION, (), self.inner_collection(call.collection))
        return bool(await proceed(inner))


class PrefixCollectionsWrapper(AspectWrapper):
    """A store whose collections all carry a prefix (the spec's ``PrefixCollectionsWrapper``).

    Args:
        key_value: The store to wrap.
        prefix: Put before every collection name, followed by ``separator``.
        separator: Between the prefix and the collection; ``":"`` by default.
        default_collection: The collection that ``None`` and ``""`` stand for (py-key-value's
            option); ``"default_collection"`` by default.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> inner = MemoryStore()
        >>> store = PrefixCollectionsWrapper(key_value=inner, prefix="prod")
        >>> asyncio.run(store.put("alice", {"name": "Alice"}, collection="users"))
        >>> asyncio.run(inner.collections())
        ['prod:users']
    """

    def __init__(
        self,
        key_value: Any,
        prefix: str,
        *,
        separator: str = ":",
        default_collection: str | None = None,
    ) -> None:
        aspect = PrefixCollections(
            prefix=prefix, separator=separator, default_collection=default_collection
        )
        super().__init__(key_value, aspect)


prefix_collections = CalledDecoratorFactory(
    PrefixCollections,
    PrefixCollectionsWrapper,
    name="prefix_collections",
    doc="""Decorate a store class or instance so every collection carries ``prefix``.

    Takes the arguments of :class:`PrefixCollectionsWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @prefix_collections("prod")
        ... class ProdStore(MemoryStore):
        ...     pass
    """,
)
