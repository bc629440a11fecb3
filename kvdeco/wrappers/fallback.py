"""Serve reads from a second store when the primary one fails.

Reads (``get``, ``ttl``, ``get_many``, ``ttl_many``) that raise one of ``fallback_on`` are
answered by the fallback store. Writes and deletes go to the primary only, unless
``write_to_fallback=True``: then a write or delete the primary refuses with one of
``fallback_on`` goes to the fallback instead. Cancellation, ``KeyboardInterrupt`` and the other
non-``Exception`` errors always propagate, even if ``fallback_on`` names ``BaseException``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.wrappers._arguments import checked, exception_types, flag, one_of, store_instance
from kvdeco.wrappers.base import AspectWrapper

__all__ = ["Fallback", "FallbackWrapper", "close_both", "with_fallback"]


@dataclasses.dataclass(frozen=True, repr=False)
class Fallback(Aspect):
    """The aspect behind :func:`with_fallback`: the wrapped store is the primary."""

    label: ClassVar[str] = "with_fallback"
    fallback: Any = dataclasses.field(metadata=checked(store_instance))
    _: dataclasses.KW_ONLY
    fallback_on: tuple[type[BaseException], ...] = dataclasses.field(
        default=(Exception,), metadata=checked(exception_types)
    )
    write_to_fallback: bool = dataclasses.field(default=False, metadata=checked(flag))

    async def around(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op.capability or (op.kind is not Kind.READ and not self.write_to_fallback):
            return await proceed(call)
        try:
            return await proceed(call)
        except self.fallback_on as error:
            if not isinstance(error, Exception):
                raise  # cancellation and interpreter exits are never a reason to fall back
        return await op.invoke(self.fallback, call)


class FallbackWrapper(AspectWrapper):
    """A store that falls back to a second store when the primary fails.

    The proxy wraps the primary: ``isinstance(wrapper, type(primary))`` holds.

    Args:
        primary: The store tried first (py-key-value's ``primary_key_value``).
        fallback: The store used when the primary fails (``fallback_key_value``).
        fallback_on: The exception types that trigger the fallback.
        write_to_fallback: Send a failed write to the fallback too; off by default.

    Example:
        >>> from kvdeco import MemoryStore
        >>> store = FallbackWrapper(primary=MemoryStore(), fallback=MemoryStore())
    """

    def __init__(
        self,
        primary: Any = None,
        fallback: Any = None,
        *,
        fallback_on: tuple[type[BaseException], ...] = (Exception,),
        write_to_fallback: bool = False,
        primary_key_value: Any = None,
        fallback_key_value: Any = None,
    ) -> None:
        primary = one_of(primary, primary_key_value, "primary", "primary_key_value")
        fallback = one_of(fallback, fallback_key_value, "fallback", "fallback_key_value")
        aspect = Fallback(
            fallback=fallback, fallback_on=fallback_on, write_to_fallback=write_to_fallback
        )
        super().__init__(primary, aspect)

    async def close(self) -> None:
        """Close both stores: the primary, then the fallback."""
        await close_both(self.__wrapped__, self._self_fallback)

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await super().__aexit__(*exc_info)
        finally:
            await _close(self._self_fallback, self.__wrapped__)

    @property
    def _self_fallback(self) -> Any:
        aspect = self._self_aspect
        assert isinstance(aspect, Fallback)
        return aspect.fallback


async def _close(store: Any, other: Any) -> None:
    """Close ``store`` unless it is ``other`` (closed already) or has nothing to close."""
    close = getattr(store, "close", None)
    if store is not other and callable(close):
        await close()


async def close_both(primary: Any, second: Any) -> None:
    """Close ``primary`` and then ``second``, the second even if closing the first failed."""
    try:
        close = getattr(primary, "close", None)
        if callable(close):
            await close()
    finally:
        await _close(second, primary)


with_fallback = CalledDecoratorFactory(
    Fallback,
    FallbackWrapper,
    name="with_fallback",
    doc="""Decorate a store class or instance (the primary) to fall back to ``fallback``.

    Takes the keyword arguments of :class:`FallbackWrapper`.

    Example:
        >>> from kvdeco import MemoryStore
        >>> backup = MemoryStore()
        >>> @with_fallback(backup)
        ... class MainStore(MemoryStore):
        ...     pass
    """,
)
