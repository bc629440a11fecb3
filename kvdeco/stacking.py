"""A stack of decorators as a value: built with ``|``, printed, applied once.

``with_statistics | with_retry() | encrypted(fernet)`` lists the layers from the outermost in,
as they would be written one above the other over a class. The result is a :class:`Stack`:
reusable, comparable, and applied to a class or an instance exactly as nesting the
decorators would be.

Example:
    >>> from kvdeco import MemoryStore, layers, prefix_keys, with_retry, with_statistics
    >>> stack = with_statistics | with_retry(max_retries=1) | prefix_keys("app")
    >>> len(stack)
    3
    >>> AppStore = stack(MemoryStore)
    >>> [aspect.label for aspect in layers(AppStore())]
    ['with_statistics', 'with_retry', 'prefix_keys']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from kvdeco._factory import DecoratorFactory
    from kvdeco.decorating import Decorator

__all__ = ["Stack"]

S = TypeVar("S")


def _decorators(part: object) -> tuple[Decorator[Any], ...]:
    # Each part says what it stands for in a stack (a decorator, a bare decorator's defaults,
    # a stack's layers), so this module needs none of their classes.
    stack_parts = getattr(part, "_stack_parts", None)
    if stack_parts is None:
        raise TypeError(
            f"a stack is made of kvdeco decorators, not {type(part).__name__}: "
            "use with_retry(...) | prefix_keys(...)"
        )
    parts: tuple[Decorator[Any], ...] = stack_parts()
    return parts


class Stack:
    """Decorators applied as one, listed from the outermost in.

    Args:
        *parts: Decorators (``with_retry()``), bare decorators (``with_statistics``) or stacks.
    """

    __slots__ = ("decorators",)

    def __init__(self, *parts: Decorator[Any] | DecoratorFactory[Any, Any] | Stack) -> None:
        self.decorators: tuple[Decorator[Any], ...] = tuple(
            decorator for part in parts for decorator in _decorators(part)
        )

    @overload
    def __call__(self, target: type[S], /) -> type[S]: ...

    @overload
    def __call__(self, target: S, /) -> S: ...

    def __call__(self, target: Any, /) -> Any:
        """Apply the stack to a store class or instance, innermost layer first."""
        for decorator in reversed(self.decorators):
            target = decorator(target)
        return target

    def __or__(self, other: Decorator[Any] | DecoratorFactory[Any, Any] | Stack) -> Stack:
        return Stack(self, other)

    def __ror__(self, other: Decorator[Any] | DecoratorFactory[Any, Any]) -> Stack:
        return Stack(other, self)

    def _stack_parts(self) -> tuple[Decorator[Any], ...]:
        return self.decorators

    def __iter__(self) -> Iterator[Decorator[Any]]:
        return iter(self.decorators)

    def __len__(self) -> int:
        return len(self.decorators)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stack) and self.decorators == other.decorators

    def __hash__(self) -> int:
        return hash(self.decorators)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.decorators)) or "Stack()"
