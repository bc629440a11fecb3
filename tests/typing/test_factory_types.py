"""Static types of a decorator that a user derives from an aspect of their own.

Checked by ``mypy --strict``: the options are the aspect's fields, the decorated class and
instance keep their types, and a required option makes a called-only decorator.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from typing_extensions import assert_type

from kvdeco import (
    Aspect,
    AspectWrapper,
    CalledDecoratorFactory,
    Decorator,
    DecoratorFactory,
    MemoryStore,
)


@dataclasses.dataclass(frozen=True, repr=False, kw_only=True)
class Tagged(Aspect):
    """An aspect whose one option has a default."""

    label: ClassVar[str] = "tagged"
    tag: str = "app"


@dataclasses.dataclass(frozen=True, repr=False)
class Limited(Aspect):
    """An aspect with a required option."""

    label: ClassVar[str] = "limited"
    limit: int


class TaggedWrapper(AspectWrapper):
    """The instance path of ``Tagged``."""


class LimitedWrapper(AspectWrapper):
    """The instance path of ``Limited``."""


tagged = DecoratorFactory(Tagged, TaggedWrapper, name="tagged", doc="Tag a store.")
limited = CalledDecoratorFactory(Limited, LimitedWrapper, name="limited", doc="Limit a store.")

assert_type(tagged(MemoryStore), type[MemoryStore])
assert_type(tagged(MemoryStore()), MemoryStore)
assert_type(tagged(tag="x"), Decorator[TaggedWrapper])
assert_type(tagged(tag="x")(MemoryStore), type[MemoryStore])
assert_type(limited(3), Decorator[LimitedWrapper])
assert_type(limited(limit=3)(MemoryStore()), MemoryStore)


def rejected_options() -> None:
    """Never called: each line is a type error, which ``warn_unused_ignores`` holds."""
    tagged(tag=3)  # type: ignore[call-overload]
    limited()  # type: ignore[call-arg]
    limited("three")  # type: ignore[arg-type]
