"""Prefix every key, so that several applications or tenants share one store safely.

``prefix_keys("app1")`` stores ``user:123`` as ``app1:user:123``. A prefix may not contain
the separator, so no two prefixes can produce the same stored key (``"a"`` + ``"b:c"`` and
``"a:b"`` + ``"c"`` would otherwise meet). Through the view, ``keys()`` lists its own keys
without the prefix and ``collections()`` only the collections where it has keys.
py-key-value writes ``app1__user:123``: pass ``separator="__"`` to share its data.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.keymap import KeyMapper, check_separator_free
from kvdeco.operations import KEYS, Call, Proceed
from kvdeco.wrappers._arguments import checked, text
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["PrefixKeys", "PrefixKeysWrapper", "prefix_keys"]


@dataclasses.dataclass(frozen=True, repr=False)
class PrefixKeys(KeyMapper):
    """The aspect behind :func:`prefix_keys`."""

    label: ClassVar[str] = "prefix_keys"
    prefix: str = dataclasses.field(metadata=checked(text))
    _: dataclasses.KW_ONLY
    separator: str = dataclasses.field(default=":", metadata=checked(text))

    def __post_init__(self) -> None:
        super().__post_init__()
        check_separator_free(self.prefix, "prefix", self.separator)

    @functools.cached_property
    def _head(self) -> str:
        # Computed once per aspect: every key or collection name is prefixed with it.
        return self.prefix + self.separator

    def inner_key(self, key: str, collection: str | None) -> str:
        return self._head + key

    def outer_key(self, inner_key: str, collection: str | None) -> str | None:
        head = self._head
        return inner_key[len(head) :] if inner_key.startswith(head) else None

    async def list_collections(self, call: Call, proceed: Proceed) -> list[str]:
        found = []
        for collection in await proceed(call):
            if await self._list_keys(Call(KEYS, (), collection, limit=1), proceed):
                found.append(collection)
        return found


class PrefixKeysWrapper(AspectWrapper):
    """A store whose keys all carry a prefix (the specification's ``PrefixKeysWrapper``).

    Args:
        key_value: The store to wrap.
        prefix: Put before every key, followed by ``separator``.
        separator: Between the prefix and the key; ``":"`` by default.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = PrefixKeysWrapper(key_value=MemoryStore(), prefix="app1")
    """

    def __init__(self, key_value: Any, prefix: str, *, separator: str = ":") -> None:
        super().__init__(key_value, PrefixKeys(prefix=prefix, separator=separator))


prefix_keys = CalledDecoratorFactory(
    PrefixKeys,
    PrefixKeysWrapper,
    name="prefix_keys",
    doc="""Decorate a store class or instance so every key carries ``prefix``.

    Takes the arguments of :class:`PrefixKeysWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @prefix_keys("app1")
        ... class AppStore(MemoryStore):
        ...     pass
    """,
)
