"""Keep every collection of the caller inside one collection of the inner store.

For stores where collections are costly or fixed (one table, one Redis hash). The inner store
sees one collection; the caller's collections stay apart because each key is stored as
``<collection>:<key>``. The caller's collection name is escaped first (``%`` and any character
that would form or start the separator become ``%XX``), so no two (collection, key) pairs ever
map to the same inner key: ``("a", "b:c")`` is stored as ``a:b:c`` and ``("a:b", "c")`` as
``a%3Ab:c``. Names without ``%`` and without the separator are stored as they are, so with
``separator="__"`` the layout is py-key-value's (``users__alice``).

Through the view, ``keys(c)`` lists the keys of ``c``, ``collections()`` the collections found
in the inner keys, and ``destroy_collection(c)`` / ``destroy()`` delete only the view's entries.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any, ClassVar, cast
from urllib.parse import unquote

from kvdeco._factory import DecoratorFactory
from kvdeco.keymap import KeyMapper
from kvdeco.operations import KEYS, Call, Proceed
from kvdeco.validation import DEFAULT_COLLECTION, collection_name
from kvdeco.wrappers._arguments import checked, text
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["SingleCollection", "SingleCollectionWrapper", "single_collection"]

_ESCAPE_ALPHABET = re.compile(r"[%0-9A-F]")


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


@functools.lru_cache(maxsize=1024)
def encode_collection(name: str, separator: str) -> str:
    """Escape a collection name so that the separator first occurs right after it."""
    head, last = separator[:-1], separator[-1]
    text = ""
    for char in name:
        if char == "%" or (char == last and text.endswith(head)):
            text += _escape(char)
        else:
            text += char
    if (text + separator).find(separator) != len(text):
        # The name ends with the start of the separator; escapes end in a hex digit, which
        # the separator never holds, so escaping the last character is enough.
        text = text[:-1] + _escape(text[-1])
    return text


def decode_inner_key(inner_key: str, separator: str) -> tuple[str, str] | None:
    """Split an inner key into (collection, key), or ``None`` if the view did not write it."""
    cut = inner_key.find(separator)
    if cut < 0:
        return None
    encoded = inner_key[:cut]
    try:
        name = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return None
    if encode_collection(name, separator) != encoded:
        return None  # not the one spelling the view writes
    return name, inner_key[cut + len(separator) :]


def _separator(value: Any, name: str) -> Any:
    """A non-empty str without the characters the escapes are made of."""
    text(value, name)
    if _ESCAPE_ALPHABET.search(value):
        raise ValueError(f"{name} {value!r} may not hold '%' or 0-9 A-F: escapes use them")
    return value


def _default_collection(value: Any, name: str) -> Any:
    """The name ``None`` and ``""`` stand for: kvdeco's default collection unless given."""
    return DEFAULT_COLLECTION if value is None or value == "" else text(value, name)


@dataclasses.dataclass(frozen=True, repr=False)
class SingleCollection(KeyMapper):
    """The aspect behind :func:`single_collection`."""

    label: ClassVar[str] = "single_collection"
    collection: str = dataclasses.field(default="default", metadata=checked(text))
    _: dataclasses.KW_ONLY
    separator: str = dataclasses.field(default=":", metadata=checked(_separator))
    default_collection: str | None = dataclasses.field(
        default=None, metadata=checked(_default_collection)
    )

    def _name(self, collection: str | None) -> str:
        # The field's check made the default a str: None never reaches here.
        return collection_name(collection) if collection else cast(str, self.default_collection)

    def inner_key(self, key: str, collection: str | None) -> str:
        return encode_collection(self._name(collection), self.separator) + self.separator + key

    def inner_collection(self, collection: str | None) -> str:
        return self.collection

    def outer_key(self, inner_key: str, collection: str | None) -> str | None:
        parts = decode_inner_key(inner_key, self.separator)
        return parts[1] if parts is not None and parts[0] == self._name(collection) else None

    async def list_collections(self, call: Call, proceed: Proceed) -> list[str]:
        found: dict[str, None] = {}
        for inner_key in await proceed(Call(KEYS, (), self.collection)):
            parts = decode_inner_key(inner_key, self.separator)
            if parts is not None:
                found.setdefault(parts[0])
        return list(found)


class SingleCollectionWrapper(AspectWrapper):
    """A store whose collections all live in one inner collection (``SingleCollectionWrapper``).

    Args:
        key_value: The store to wrap.
        collection: The one collection of the inner store; ``"default"`` by default.
        separator: Between the escaped collection name and the key; ``":"`` by default.
        single_collection: py-key-value's name for ``collection``.
        default_collection: The collection that ``None`` and ``""`` stand for.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> inner = MemoryStore()
        >>> store = SingleCollectionWrapper(key_value=inner, collection="default")
        >>> asyncio.run(store.put("test", {"data": "value"}, collection="ignored"))
        >>> asyncio.run(inner.keys("default"))
        ['ignored:test']
    """

    def __init__(
        self,
        key_value: Any,
        collection: str = "default",
        *,
        separator: str = ":",
        single_collection: str | None = None,
        default_collection: str | None = None,
    ) -> None:
        if single_collection is not None:
            if collection not in ("default", single_collection):
                raise TypeError("give collection or single_collection, not both")
            collection = single_collection
        aspect = SingleCollection(
            collection=collection, separator=separator, default_collection=default_collection
        )
        super().__init__(key_value, aspect)


single_collection = DecoratorFactory(
    SingleCollection,
    SingleCollectionWrapper,
    name="single_collection",
    doc="""Decorate a store class or instance to keep every collection in one; bare or called.

    ``@single_collection`` uses the collection ``"default"``; ``@single_collection("all")``
    names it. Takes the arguments of :class:`SingleCollectionWrapper` but
    ``single_collection``.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @single_collection("everything")
        ... class OneTableStore(MemoryStore):
        ...     pass
    """,
)
