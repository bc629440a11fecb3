"""Answer reads of a missing key with a default value (``dict.get(key, default)``).

The default is never written to the store: a read of a key the store does not hold returns a
fresh copy of the default (each caller may change its copy freely), and ``ttl()`` pairs it
with ``default_ttl``. Writes, deletes and everything else go to the store unchanged. As with
py-key-value, a reader can no longer tell a missing key from one that holds the default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, SupportsFloat

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Proceed
from kvdeco.validation import copy_value, fresh_copy
from kvdeco.wrappers._arguments import checked, number
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["DefaultValue", "DefaultValueWrapper", "with_default"]


def _private_copy(value: Any, name: str) -> dict[str, Any]:
    """A JSON copy of the default: later changes to the caller's dict do not reach it."""
    return copy_value(value, "with_default", None, None)


def _reported_ttl(value: Any, name: str) -> Any:
    """``None``, or any real number (``SupportsFloat``: a Decimal too) as seconds above 0."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or None, not {type(value).__name__}") from None
    return number(seconds, name)


@dataclasses.dataclass(frozen=True, repr=False)
class DefaultValue(Aspect):
    """The aspect behind :func:`with_default`; see :class:`DefaultValueWrapper`."""

    label: ClassVar[str] = "with_default"
    operations: ClassVar[frozenset[str] | None] = frozenset({"get", "ttl", "get_many", "ttl_many"})
    default_value: Mapping[str, Any] = dataclasses.field(
        hash=False, metadata=checked(_private_copy)
    )
    _: dataclasses.KW_ONLY
    default_ttl: SupportsFloat | None = dataclasses.field(
        default=None, metadata=checked(_reported_ttl)
    )

    def fresh_default(self) -> dict[str, Any]:
        """A new copy of the default value."""
        return fresh_copy(self.default_value)  # type: ignore[no-any-return]

    async def around(self, call: Call, proceed: Proceed) -> Any:
        result = await proceed(call)
        op = call.op
        if not op.many:
            return self._filled(result, op.with_ttl)
        return [self._filled(item, op.with_ttl) for item in result]

    def _filled(self, item: Any, with_ttl: bool) -> Any:
        if with_ttl:
            return (self.fresh_default(), self.default_ttl) if item[0] is None else item
        return self.fresh_default() if item is None else item


class DefaultValueWrapper(AspectWrapper):
    """A store that returns a default value for missing keys (py-key-value's wrapper).

    Args:
        key_value: The store to wrap.
        default_value: What a read of a missing key returns (a copy each time).
        default_ttl: The TTL ``ttl()``/``ttl_many()`` report with the default value.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = DefaultValueWrapper(MemoryStore(), default_value={"theme": "light"})
        >>> asyncio.run(store.get("settings:42"))
        {'theme': 'light'}
    """

    def __init__(
        self,
        key_value: Any,
        default_value: Mapping[str, Any],
        default_ttl: SupportsFloat | None = None,
    ) -> None:
        aspect = DefaultValue(default_value=default_value, default_ttl=default_ttl)
        super().__init__(key_value, aspect)


with_default = CalledDecoratorFactory(
    DefaultValue,
    DefaultValueWrapper,
    name="with_default",
    doc="""Decorate a store class or instance so reads of missing keys return ``default_value``.

    Takes the arguments of :class:`DefaultValueWrapper`; ``default_ttl`` by keyword.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @with_default({"theme": "light"})
        ... class Settings(MemoryStore):
        ...     pass
    """,
)
