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

from kvdeco.aspect import Aspect
from kvdeco.decorating import Decorator
from kvdeco.operations import Call, Proceed
from kvdeco.validation import copy_value, fresh_copy
from kvdeco.wrappers._arguments import number
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["DefaultValue", "DefaultValueWrapper", "with_default"]


@dataclasses.dataclass(frozen=True, repr=False)
class DefaultValue(Aspect):
    """The aspect behind :func:`with_default`; see :class:`DefaultValueWrapper`."""

    label: ClassVar[str] = "with_default"
    operations: ClassVar[frozenset[str] | None] = frozenset({"get", "ttl", "get_many", "ttl_many"})
    default_value: Mapping[str, Any] = dataclasses.field(hash=False)
    default_ttl: float | None = None

    def __post_init__(self) -> None:
        # A private JSON copy: later changes to the caller's dict do not reach the default.
        object.__setattr__(
            self, "default_value", copy_value(self.default_value, "with_default", None, None)
        )
        if self.default_ttl is not None:
            object.__setattr__(self, "default_ttl", number(float(self.default_ttl), "default_ttl"))

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
        ttl = None if default_ttl is None else float(default_ttl)
        super().__init__(key_value, DefaultValue(default_value, ttl))


def with_default(
    default_value: Mapping[str, Any], *, default_ttl: SupportsFloat | None = None
) -> Decorator[DefaultValueWrapper]:
    """Decorate a store class or instance so reads of missing keys return ``default_value``.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @with_default({"theme": "light"})
        ... class Settings(MemoryStore):
        ...     pass
    """
    ttl = None if default_ttl is None else float(default_ttl)
    return Decorator(DefaultValue(default_value, ttl), DefaultValueWrapper)
