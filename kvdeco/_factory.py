"""Decorators derived from their aspect classes, bare or called, with types that survive.

Every decorator is one of two factories made from its aspect class and its wrapper class. A
:class:`CalledDecoratorFactory` is called with options (``prefix_keys("app")``) and returns a
:class:`~kvdeco.decorating.Decorator`. A :class:`DecoratorFactory`, for an aspect whose options
all have defaults, may also be used bare on a class (``@logged``) or an instance
(``with_statistics(store)``), which applies the aspect with its defaults. The options are the
aspect's own fields, so a type checker knows them, and the result keeps the type of what was
decorated.

Example:
    >>> from kvdeco import MemoryStore, with_retry
    >>> FastStore = with_retry(max_retries=1)(MemoryStore)
    >>> FastStore.__name__
    'MemoryStore'
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from kvdeco.aspect import Aspect
from kvdeco.decorating import Decorator
from kvdeco.wrappers.base import AspectWrapper

if TYPE_CHECKING:
    from kvdeco.stacking import Stack

__all__ = ["CalledDecoratorFactory", "DecoratorFactory", "StoreLike"]

P = ParamSpec("P")
S = TypeVar("S")
W = TypeVar("W", bound=AspectWrapper)


class StoreLike(Protocol):
    """What a bare decorator accepts as an instance: anything with an async ``get``."""

    def get(self, *args: Any, **kwargs: Any) -> Awaitable[Any]: ...


StoreT = TypeVar("StoreT", bound=StoreLike)


class CalledDecoratorFactory(Generic[P, W]):
    """A decorator that is called with its options: the fields of its aspect class.

    Args:
        aspect: The aspect class; its fields are the decorator's options.
        wrapper: The wrapper class used when an instance is decorated.
        name: The decorator's public name.
        doc: The decorator's docstring.
    """

    __module__ = "kvdeco"  # where users import it from; this module is private

    def __init__(
        self, aspect: Callable[P, Aspect], wrapper: type[W], *, name: str, doc: str
    ) -> None:
        self.aspect = aspect
        self.wrapper = wrapper
        self.__name__ = self.__qualname__ = name
        self.__doc__ = doc
        # help() and inspect.signature() show the options, not (*args, **kwargs).
        self.__signature__ = inspect.signature(aspect).replace(
            return_annotation=f"Decorator[{wrapper.__name__}]"
        )

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Decorator[W]:
        return Decorator(self.aspect(*args, **kwargs), self.wrapper)

    def __repr__(self) -> str:
        return f"<decorator {self.__name__}>"


class DecoratorFactory(CalledDecoratorFactory[P, W]):
    """A decorator whose options all have defaults, so that it may also be used bare.

    Args:
        aspect: The aspect class; its fields are the decorator's options.
        wrapper: The wrapper class used when an instance is decorated.
        name: The decorator's public name.
        doc: The decorator's docstring.
    """

    __module__ = "kvdeco"

    def __init__(
        self, aspect: Callable[P, Aspect], wrapper: type[W], *, name: str, doc: str
    ) -> None:
        super().__init__(aspect, wrapper, name=name, doc=doc)
        self._make: Callable[..., Aspect] = aspect
        # With keyword-only options a lone positional argument can only be a target.
        self._takes_positional = any(
            field.init and not field.kw_only
            for field in dataclasses.fields(cast("type[Aspect]", aspect))
        )

    @overload
    def __call__(self, target: type[S], /) -> type[S]: ...  # type: ignore[overload-overlap]

    # An instance is never a valid first option: the options are numbers, strings, tenacity
    # strategies and loggers, none of which has an async ``get``. mypy cannot see that.
    @overload
    def __call__(self, target: StoreT, /) -> StoreT: ...  # type: ignore[overload-overlap]

    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Decorator[W]: ...

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and self._is_target(args[0]):
            return Decorator(self._make(), self.wrapper)(args[0])
        return Decorator(self.aspect(*args, **kwargs), self.wrapper)

    def __or__(self, other: Any) -> Stack:
        """``outer | inner``: a :class:`~kvdeco.stacking.Stack`; bare, this decorator's defaults."""
        from kvdeco.stacking import Stack  # the stack module builds on this one

        return Stack(self, other)

    def _stack_parts(self) -> tuple[Decorator[W]]:
        # Bare in a stack it means its defaults, as ``@logged`` does.
        return (Decorator(self._make(), self.wrapper),)

    def _is_target(self, value: object) -> bool:
        """Whether ``value`` is what to decorate (a class or a store), not an option."""
        return (
            not self._takes_positional
            or isinstance(value, type)
            or callable(getattr(value, "get", None))
        )
