"""A property shared by the view wrappers: views over one inner store never meet, whatever
their labels.

Each wrapper's tests draw entries ``(view label, collection, key)`` from the kit's
:func:`~kvdeco.testing.strategies.colliding_names` and a separator from its
:func:`~kvdeco.testing.strategies.separators`, write them all through their views into ONE
inner store, and check that every view reads back exactly its own entries and lists exactly
its own keys and collections, unprefixed. The labels are drawn, which the kit's isolation
machine (``kvdeco.testing.laws.isolation_machine``, with views of fixed names, run by each
wrapper's tests too) leaves to its caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kvdeco import MemoryStore
from kvdeco.testing import strategies as kst
from kvdeco.validation import DEFAULT_COLLECTION

_names = kst.colliding_names()
_entry = st.tuples(_names, st.one_of(st.none(), _names), _names)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | None, str]]]:
    """A separator and entries ``(view label, collection, key)``; ``None`` is the default.

    Besides random entries, strings are drawn and cut at every place where the separator
    occurs: the pieces, used as (label, key), (label, collection) and (collection, key), would
    all be stored under that same string if the wrapper let them.
    """
    separator = draw(kst.separators())
    drawn = draw(st.lists(_entry, max_size=6))
    pieces = st.lists(st.text(alphabet=separator + "a%", max_size=3), min_size=2, max_size=3)
    for joined in draw(st.lists(pieces.map(separator.join), min_size=1, max_size=2)):
        cut = joined.find(separator)
        while cut >= 0:
            head, tail = joined[:cut], joined[cut + len(separator) :]
            drawn += [(head, "x", tail), (head, tail, "x"), ("x", head, tail)]
            cut = joined.find(separator, cut + 1)
    return separator, drawn


MakeView = Callable[[Any, str], Any]


def _collection(collection: str | None) -> str:
    return collection or DEFAULT_COLLECTION


def check_views_are_isolated(make_view: MakeView, drawn: list[tuple[str, str | None, str]]) -> None:
    """Write ``drawn`` through views made by ``make_view(inner, label)``; each sees only its own.

    Labels the wrapper refuses (``ValueError`` at construction) are left out.
    """
    asyncio.run(_check(make_view, drawn))


async def _check(make_view: MakeView, drawn: list[tuple[str, str | None, str]]) -> None:
    inner = MemoryStore()
    views: dict[str, Any] = {}
    expected: dict[tuple[str, str, str], int] = {}
    for label, collection, key in drawn:
        if label not in views:
            try:
                views[label] = make_view(inner, label)
            except ValueError:
                continue
        place = (label, _collection(collection), key)
        expected[place] = len(expected)
        await views[label].put(key, {"n": expected[place]}, collection=collection)

    for (label, collection, key), number in expected.items():
        assert await views[label].get(key, collection=collection) == {"n": number}, (
            f"view {label!r} lost ({collection!r}, {key!r}) to another entry"
        )
    for label, view in views.items():
        mine = [place for place in expected if place[0] == label]
        assert sorted(await view.collections()) == sorted({c for _, c, _ in mine})
        for collection in {c for _, c, _ in mine}:
            assert sorted(await view.keys(collection)) == sorted(
                k for _, c, k in mine if c == collection
            )


def views_never_meet(make_view: Callable[[Any, str, str], Any]) -> Callable[..., None]:
    """Build the property test for a wrapper: ``make_view(inner, label, separator)``."""

    @settings(max_examples=150, deadline=None)
    @given(case=cases())
    def test(case: tuple[str, list[tuple[str, str | None, str]]]) -> None:
        separator, drawn = case
        check_views_are_isolated(lambda inner, label: make_view(inner, label, separator), drawn)

    return test
