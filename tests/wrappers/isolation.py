"""A property shared by the view wrappers: views over one inner store never meet.

Each wrapper's tests draw entries ``(view, collection, key)`` with names full of separators,
``%``, backslashes and unicode, write them all through their views into ONE inner store, and
check that every view reads back exactly its own entries and lists exactly its own keys and
collections, unprefixed. A state machine then runs writes, deletes and destroys through two
views against a dict model per view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kvdeco import MemoryStore
from kvdeco.validation import DEFAULT_COLLECTION

# Few characters, chosen to collide: separators, escape characters, a hex digit, unicode.
_TRICKY = st.text(alphabet="a:_%\\/2Féк", max_size=5)
names = st.one_of(_TRICKY, st.text(max_size=4))
"""Strings that try hard to look like each other once joined with a separator."""

separators = st.sampled_from([":", "__", "::", "/", ":/"])
"""Separators, including ones of two characters that a name can end with part of."""

_entry = st.tuples(names, st.one_of(st.none(), names), names)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[tuple[str, str | None, str]]]:
    """A separator and entries ``(view label, collection, key)``; ``None`` is the default.

    Besides random entries, strings are drawn and cut at every place where the separator
    occurs: the pieces, used as (label, key), (label, collection) and (collection, key), would
    all be stored under that same string if the wrapper let them.
    """
    separator = draw(separators)
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


def views_behave_like_dicts(make_view: MakeView, labels: tuple[str, str]) -> type:
    """A state machine: two views over one inner store against one dict model per view.

    Writes, deletes, ``destroy_collection`` and ``destroy`` through either view must leave
    both views reading, listing and counting exactly what their own models hold.
    """
    collections = st.one_of(st.none(), st.sampled_from(["c", "c:d", "%", "default_collection"]))
    keys = st.sampled_from(["k", "k:1", "", "%3A"])
    view = st.sampled_from(labels)

    class ViewMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.loop = asyncio.new_event_loop()
            inner = MemoryStore()
            self.views = {label: make_view(inner, label) for label in labels}
            self.models: dict[str, dict[tuple[str, str], int]] = {label: {} for label in labels}

        def run(self, awaitable: Any) -> Any:
            return self.loop.run_until_complete(awaitable)

        @rule(label=view, collection=collections, key=keys, n=st.integers(0, 9))
        def put(self, label: str, collection: str | None, key: str, n: int) -> None:
            self.run(self.views[label].put(key, {"n": n}, collection=collection))
            self.models[label][(_collection(collection), key)] = n

        @rule(label=view, collection=collections, key=keys)
        def delete(self, label: str, collection: str | None, key: str) -> None:
            deleted = self.run(self.views[label].delete(key, collection=collection))
            assert deleted == (
                self.models[label].pop((_collection(collection), key), None) is not None
            )

        @rule(label=view, collection=collections)
        def destroy_collection(self, label: str, collection: str | None) -> None:
            name, model = _collection(collection), self.models[label]
            doomed = [place for place in model if place[0] == name]
            assert self.run(self.views[label].destroy_collection(collection)) == bool(doomed)
            for place in doomed:
                del model[place]

        @rule(label=view)
        def destroy(self, label: str) -> None:
            assert self.run(self.views[label].destroy()) == bool(self.models[label])
            self.models[label].clear()

        @invariant()
        def each_view_holds_its_model(self) -> None:
            for label, model in self.models.items():
                store = self.views[label]
                assert sorted(self.run(store.collections())) == sorted({c for c, _ in model})
                for name in {c for c, _ in model}:
                    listed = sorted(self.run(store.keys(name)))
                    assert listed == sorted(k for c, k in model if c == name)
                    values = self.run(store.get_many(listed, collection=name))
                    assert values == [{"n": model[(name, k)]} for k in listed]

        def teardown(self) -> None:
            self.loop.close()

    ViewMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)
    return ViewMachine.TestCase
