"""Refuse (or silently skip) writes of values that are too large or too small.

The size of a value is ``len(json.dumps(value, sort_keys=True))``, as py-key-value measures
it. A value larger than ``max_size`` raises :class:`~kvdeco.errors.EntryTooLargeError` (also a
``ValueError``, as the specification says); one smaller than ``min_size`` raises
:class:`~kvdeco.errors.EntryTooSmallError`. A ``put_many`` with one such value writes nothing.
With raising turned off, such values are skipped without a word and the others written.
Reads are never limited.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.errors import EntryTooLargeError, EntryTooSmallError
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import check_keys, check_many, check_ttl, check_value
from kvdeco.wrappers._arguments import checked, flag, integer
from kvdeco.wrappers._json import measured_size
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["LimitSize", "LimitSizeWrapper", "limit_size"]


@dataclasses.dataclass(frozen=True, repr=False)
class LimitSize(Aspect):
    """The aspect behind :func:`limit_size`."""

    label: ClassVar[str] = "limit_size"
    max_size: int | None = dataclasses.field(
        default=None, metadata=checked(integer, minimum=1, allow_none=True)
    )
    _: dataclasses.KW_ONLY
    min_size: int | None = dataclasses.field(
        default=None, metadata=checked(integer, minimum=0, allow_none=True)
    )
    raise_on_too_large: bool = dataclasses.field(default=True, metadata=checked(flag))
    raise_on_too_small: bool = dataclasses.field(default=True, metadata=checked(flag))

    def __post_init__(self) -> None:
        super().__post_init__()
        low, high = self.min_size, self.max_size
        if low is not None and high is not None and low > high:
            raise ValueError("min_size must not be greater than max_size")

    async def around(self, call: Call, proceed: Proceed) -> Any:
        """Check the values of writes; drop the ones out of bounds when not raising."""
        if call.op.kind is not Kind.WRITE:
            return await proceed(call)
        keys, values, collection, name = call.keys, call.values, call.collection, call.op.name
        if call.op.many:
            # The shape first, as the stores check it: nothing else may pair keys with values.
            check_keys(keys, name, collection)
            check_many(keys, values, name)  # type: ignore[arg-type]  # it refuses None too
        assert values is not None  # a single put always carries its one value
        check_ttl(call.ttl, name, collection)  # even if every value is then skipped
        kept_keys: list[str] = []
        kept_values: list[Any] = []
        for key, value in zip(keys, values):
            check_value(value, name, collection, key)
            if self._fits(value, key, collection, name):
                kept_keys.append(key)
                kept_values.append(value)
        if len(kept_keys) == len(keys):
            return await proceed(call)
        if not kept_keys:
            return None
        return await proceed(call.replace(keys=kept_keys, values=kept_values))

    def _fits(self, value: Any, key: str, collection: str | None, op: str) -> bool:
        size = measured_size(value, op, collection, key)
        where: dict[str, Any] = {"operation": op, "collection": collection, "key": key}
        if self.max_size is not None and size > self.max_size:
            if self.raise_on_too_large:
                raise EntryTooLargeError(size, self.max_size, **where)
            return False
        if self.min_size is not None and size < self.min_size:
            if self.raise_on_too_small:
                raise EntryTooSmallError(size, self.min_size, **where)
            return False
        return True


class LimitSizeWrapper(AspectWrapper):
    """A store that refuses values outside a size range (the specification's wrapper).

    Args:
        key_value: The store to wrap.
        max_size: Largest size allowed, in characters of JSON; ``None``: no maximum.
        min_size: Smallest size allowed; ``None``: no minimum.
        raise_on_too_large: False: skip too large values silently instead of raising.
        raise_on_too_small: False: skip too small values silently instead of raising.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = LimitSizeWrapper(key_value=MemoryStore(), max_size=10240)
    """

    def __init__(
        self,
        key_value: Any,
        max_size: int | None = None,
        *,
        min_size: int | None = None,
        raise_on_too_large: bool = True,
        raise_on_too_small: bool = True,
    ) -> None:
        aspect = LimitSize(
            max_size=max_size,
            min_size=min_size,
            raise_on_too_large=raise_on_too_large,
            raise_on_too_small=raise_on_too_small,
        )
        super().__init__(key_value, aspect)


limit_size = CalledDecoratorFactory(
    LimitSize,
    LimitSizeWrapper,
    name="limit_size",
    doc="""Decorate a store class or instance so out-of-range values are refused.

    Takes the arguments of :class:`LimitSizeWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @limit_size(10240, min_size=2)
        ... class BoundedStore(MemoryStore):
        ...     pass
    """,
)
