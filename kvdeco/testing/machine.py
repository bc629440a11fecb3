"""The checking logic of the model check: every operation run through a store and its result
compared with the model."""

from __future__ import annotations

import asyncio
import copy
import inspect
import math
import time
from collections.abc import Awaitable, Sequence
from typing import Any, NoReturn

from hypothesis.stateful import RuleBasedStateMachine, invariant

from kvdeco.testing import strategies as kst
from kvdeco.testing.model import (
    ALIVE,
    GONE,
    UNSURE,
    ContractViolation,
    Entry,
    MachineConfig,
    scribble,
    short,
)

__all__ = ["StoreMachine"]


class StoreMachine(RuleBasedStateMachine):
    """The checking logic behind every generated machine; the rules are added per config.

    Subclasses (the wrapper laws) use :meth:`run` to await store calls and :meth:`observe`
    to see every operation that completed.
    """

    config: MachineConfig

    def __init__(self) -> None:
        super().__init__()
        cfg = self.config
        self._loop = cfg.loop
        self._own_loop = asyncio.new_event_loop() if cfg.loop is None else None
        built = self.run_maybe(self.build())
        self.views: list[Any] = list(built) if len(cfg.names) > 1 else [built]
        shared: dict[str, dict[str, Entry]] = {}
        self.models: list[dict[str, dict[str, Entry]]] = [
            shared if cfg.shared_model else {} for _ in self.views
        ]
        self.touched: list[dict[str, set[str]]] = [{} for _ in self.views]
        self.manual = cfg.clock is not None
        self.tolerance = (
            cfg.ttl_tolerance if cfg.ttl_tolerance is not None else 1e-6 if self.manual else 1.0
        )
        self.margin = 0.0 if self.manual else cfg.expiry_margin
        # When the short-lived entries written since the last wait must have expired. Rule
        # selection may depend only on what earlier steps did, never on the wall clock:
        # hypothesis replays a program and requires the same rules to be enabled again.
        self.expiry_deadline: float | None = None
        self.recent: list[tuple[int, str, str]] = []  # (view, collection, key) of the last step
        self.bulks = 0
        if cfg.reuse and self.can("destroy"):
            # Only a store whose capabilities include destroy() is emptied with it; any other
            # reused store starts with what earlier examples left (they delete what they wrote).
            for view in self.views:
                self.run(view.destroy())

    def build(self) -> Any:
        """Make the store (or, for several views, the list of views). Laws override it."""
        return self.config.build()

    # -- running coroutines ------------------------------------------------------------

    def run(self, awaitable: Awaitable[Any]) -> Any:
        """Await ``awaitable`` on the machine's event loop and return its result."""
        if self._own_loop is not None:
            return self._own_loop.run_until_complete(awaitable)
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(awaitable, self._loop).result()  # type: ignore[arg-type]

    def run_maybe(self, result: Any) -> Any:
        """``result``, awaited first if it is awaitable (factories may be async)."""
        return self.run(result) if inspect.isawaitable(result) else result

    def teardown(self) -> None:
        """Delete what the example wrote from a reused store; close the event loop."""
        try:
            if self.config.reuse:
                for view, touched in zip(self.views, self.touched):
                    for collection, keys in touched.items():
                        self.run(view.delete_many(sorted(keys), collection=collection))
        finally:
            if self._own_loop is not None:
                self._own_loop.run_until_complete(self._own_loop.shutdown_asyncgens())
                self._own_loop.close()

    # -- the model ---------------------------------------------------------------------

    def now(self) -> float:
        """The machine's time: the manual clock, or the monotonic clock."""
        clock = self.config.clock
        return clock() if clock is not None else time.monotonic()

    def name(self, collection: str | None) -> str:
        """The model's name of a collection (``None`` and ``""`` are the default one)."""
        return collection or self.config.default_collection

    def describe(self, view: int, text: str) -> str:
        """A call as the failure message shows it."""
        return f"{self.config.names[view]}.{text}" if len(self.views) > 1 else text

    def fail(self, view: int, call: str, message: str) -> NoReturn:
        """Raise a :class:`ContractViolation` about ``call``."""
        raise ContractViolation(f"{self.describe(view, call)}: {message}")

    def status(self, entry: Entry | None, t0: float, t1: float) -> str:
        """Whether ``entry`` must be alive, must be gone, or may be either during [t0, t1]."""
        if entry is None:
            return GONE
        if entry.ttl is None or t1 + self.margin < entry.earliest:
            return ALIVE
        if t0 >= entry.latest + self.margin:
            return GONE
        return UNSURE

    def entry(self, view: int, collection: str | None, key: str) -> Entry | None:
        """The model's entry for ``key``."""
        return self.models[view].get(self.name(collection), {}).get(key)

    def forget(self, view: int, collection: str | None, key: str) -> None:
        """Remove ``key`` from the model."""
        name = self.name(collection)
        self.models[view].get(name, {}).pop(key, None)
        if key in self.touched[view].get(name, ()):
            self.recent.append((view, name, key))

    def remember(
        self,
        view: int,
        collection: str | None,
        key: str,
        value: Any,
        ttl: Any,
        t0: float,
        t1: float,
    ) -> None:
        """Record a write of ``value`` made during [t0, t1]."""
        seconds = None if ttl is None else float(ttl)
        name = self.name(collection)
        entry = Entry(
            copy.deepcopy(value),
            seconds,
            math.inf if seconds is None else t0 + seconds,
            math.inf if seconds is None else t1 + seconds,
        )
        self.models[view].setdefault(name, {})[key] = entry
        self.touched[view].setdefault(name, set()).add(key)
        self.recent.append((view, name, key))

    def observe(
        self, view: int, operation: str, collection: str | None, keys: Sequence[str], result: Any
    ) -> None:
        """Called after every protocol operation that completed. Laws override it."""

    def timed(
        self, awaitable: Awaitable[Any], view: int = 0, call: str = "", expects: str = ""
    ) -> tuple[Any, float, float]:
        """Await ``awaitable``; return its result and the times before and after.

        A legal call that raises is reported as such: ``call`` raised an error where the
        contract ``expects`` a result (``"True or False"``), with the error's type and text.
        """
        t0 = self.now()
        try:
            result = self.run(awaitable)
        except Exception as error:
            wanted = f"; the contract expects {expects}" if expects else ""
            self.fail(view, call, f"raised {type(error).__name__}: {error}{wanted}")
        return result, t0, self.now()

    # -- checks --------------------------------------------------------------------------

    def check_value(
        self,
        view: int,
        call: str,
        collection: str | None,
        key: str,
        found: Any,
        t0: float,
        t1: float,
    ) -> None:
        """Check one value a read returned for ``key``."""
        entry = self.entry(view, collection, key)
        state = self.status(entry, t0, t1)
        if found is None:
            if state == ALIVE:
                assert entry is not None
                self.fail(
                    view, call, f"{key!r} reads as missing; the model holds {short(entry.value)}"
                )
            if state == UNSURE:
                self.forget(view, collection, key)  # it expired, and must stay expired
            return
        if state == GONE:
            self.fail(
                view,
                call,
                f"{key!r} reads as {short(found)}; the model holds nothing (deleted or expired)",
            )
        assert entry is not None
        if type(found) is not dict:
            self.fail(view, call, f"{key!r} reads as a {type(found).__name__}, not a fresh dict")
        if found != entry.value:
            self.fail(
                view,
                call,
                f"{key!r} reads as {short(found)}; the model holds {short(entry.value)}",
            )

    def check_pair(
        self,
        view: int,
        call: str,
        collection: str | None,
        key: str,
        pair: Any,
        t0: float,
        t1: float,
    ) -> None:
        """Check one ``(value, remaining seconds)`` a TTL read returned for ``key``."""
        if not isinstance(pair, tuple) or len(pair) != 2:
            self.fail(view, call, f"{key!r} gave {short(pair)}, not a (value, ttl) pair")
        value, remaining = pair
        if value is None and remaining is not None:
            self.fail(view, call, f"{key!r} reads as missing but with a ttl of {remaining!r}")
        entry = self.entry(view, collection, key)
        self.check_value(view, call, collection, key, value, t0, t1)
        if value is None or entry is None:
            return
        if self.config.cached_ttls:
            # A cached copy may report its own, shorter, remaining time.
            latest = math.inf if entry.ttl is None else entry.latest - t0 + self.tolerance
            if remaining is not None and not 0 < remaining <= latest:
                self.fail(
                    view,
                    call,
                    f"{key!r} was written with ttl={entry.ttl!r}; a cached copy may have at "
                    f"most {latest:.6g} s left but reads back {remaining!r}",
                )
            return
        if entry.ttl is None:
            if remaining is not None:
                self.fail(
                    view,
                    call,
                    f"{key!r} was written without a ttl but reads back ttl={remaining!r}",
                )
            return
        low, high = entry.earliest - t1 - self.tolerance, entry.latest - t0 + self.tolerance
        if remaining is None or not low <= remaining <= high:
            self.fail(
                view,
                call,
                f"{key!r} was written with ttl={entry.ttl!r}; the remaining ttl should be "
                f"{entry.earliest - t1:.6g} but reads back as {remaining!r}",
            )

    def check_listing(
        self,
        view: int,
        call: str,
        found: Any,
        alive: set[str],
        possible: set[str],
        limit: int | None,
    ) -> None:
        """Check a ``keys()`` or ``collections()`` result against what must and may be listed."""
        if not isinstance(found, list):
            self.fail(view, call, f"returned a {type(found).__name__}, not a list")
        if len(set(found)) != len(found):
            self.fail(view, call, f"listed duplicates: {short(found)}")
        extra = set(found) - possible
        if extra:
            self.fail(view, call, f"listed {short(sorted(extra))}, which the model does not hold")
        wanted = len(alive) if limit is None else min(limit, len(alive))
        if limit is not None and len(found) > limit:
            self.fail(view, call, f"listed {len(found)} names, more than the limit")
        if limit is None and not alive <= set(found):
            self.fail(view, call, f"did not list {short(sorted(alive - set(found)))}")
        if len(found) < wanted:
            self.fail(view, call, f"listed {len(found)} names; at least {wanted} are live")

    def check_others(self, writer: int) -> None:
        """Read back every other view's model: a write through one view must not reach them."""
        if not self.config.cross_check:
            return
        for view, model in enumerate(self.models):
            if view == writer:
                continue
            for name, entries in model.items():
                if entries:
                    self.do_get_many(view, sorted(entries), name)

    def can(self, capability: str) -> bool:
        """Whether every view offers ``capability`` and the config lets the machine use it."""
        allowed = self.config.capabilities
        if allowed is not None and capability not in allowed:
            return False
        return all(getattr(view, capability, None) is not None for view in self.views)

    def written(self, view: int) -> dict[str, set[str]]:
        """Every key ever written through ``view`` (all views, when they share one model)."""
        if not self.config.shared_model:
            return self.touched[view]
        merged: dict[str, set[str]] = {}
        for touched in self.touched:
            for name, keys in touched.items():
                merged.setdefault(name, set()).update(keys)
        return merged

    @invariant()
    def everything_reads_back(self) -> None:
        """After every step, every key ever written reads back as the model says (deleted and
        expired ones as missing) through ``ttl_many`` and ``get_many``; the keys the step
        wrote or deleted, and one per collection, through ``ttl`` and ``get``; and the
        listings (``keys()`` of each collection, ``collections()``) show exactly what is live.
        A defect in any read path shows at the step that caused it. (Which reads run depends
        on the state only, so Hypothesis can still drop steps while shrinking.)"""
        recent, self.recent = self.recent, []
        for view in range(len(self.views)):
            written = sorted(self.written(view).items())
            # Listings first: a store may drop expired entries as it reads them, which would
            # hide a listing that still shows them.
            if self.can("collections") and written:
                self.do_collections(view, None)
            if self.can("keys"):
                for name, _ in written:
                    self.do_keys(view, name, None)
            for name, keys_written in written:
                keys = sorted(keys_written | set(self.models[view].get(name, {})))
                if not keys:
                    continue
                self.do_ttl_many(view, keys, name)
                self.do_get_many(view, keys, name)
                self.do_ttl(view, keys[0], name)
                self.do_get(view, keys[0], name)
        for view, name, key in dict.fromkeys(recent):
            self.do_ttl(view, key, name)
            self.do_get(view, key, name)
        self.recent = []

    # -- operations ----------------------------------------------------------------------

    def do_put(self, view: int, key: str, collection: str | None, value: Any, ttl: Any) -> None:
        """``put`` through ``view``; the caller's object is changed afterwards."""
        call = f"put({key!r}, ..., collection={collection!r}, ttl={ttl!r})"
        given = copy.deepcopy(value)
        result, t0, t1 = self.timed(
            self.views[view].put(key, given, collection=collection, ttl=ttl), view, call, "None"
        )
        if result is not None:
            self.fail(view, call, f"returned {short(result)}, not None")
        scribble(given)
        self.remember(view, collection, key, value, ttl, t0, t1)
        self.observe(view, "put", collection, [key], result)
        self.check_others(view)

    def do_put_many(
        self, view: int, items: list[tuple[str, Any]], collection: str | None, ttl: Any
    ) -> None:
        """``put_many`` through ``view``; with duplicate keys the last value wins."""
        keys = [k for k, _ in items]
        call = f"put_many({keys!r}, ..., collection={collection!r}, ttl={ttl!r})"
        given = [copy.deepcopy(v) for _, v in items]
        result, t0, t1 = self.timed(
            self.views[view].put_many(keys, given, collection=collection, ttl=ttl),
            view,
            call,
            "None",
        )
        if result is not None:
            self.fail(view, call, f"returned {short(result)}, not None")
        for value in given:
            scribble(value)
        for key, value in items:
            self.remember(view, collection, key, value, ttl, t0, t1)
        self.observe(view, "put_many", collection, keys, result)
        self.check_others(view)

    def do_get(self, view: int, key: str, collection: str | None) -> None:
        """``get`` through ``view``; the dict returned is changed, then the key read again."""
        call = f"get({key!r}, collection={collection!r})"
        for again in (False, True):
            found, t0, t1 = self.timed(
                self.views[view].get(key, collection=collection), view, call, "a dict or None"
            )
            self.check_value(
                view, call + (" again" if again else ""), collection, key, found, t0, t1
            )
            self.observe(view, "get", collection, [key], found)
            scribble(found)

    def do_ttl(self, view: int, key: str, collection: str | None) -> None:
        """``ttl`` through ``view``."""
        call = f"ttl({key!r}, collection={collection!r})"
        pair, t0, t1 = self.timed(
            self.views[view].ttl(key, collection=collection), view, call, "a (value, ttl) pair"
        )
        self.check_pair(view, call, collection, key, pair, t0, t1)
        self.observe(view, "ttl", collection, [key], pair)
        scribble(pair[0])

    def do_get_many(self, view: int, keys: list[str], collection: str | None) -> None:
        """``get_many`` through ``view``: one result per key, in order, duplicates included."""
        self.read_many(view, "get_many", keys, collection)

    def do_ttl_many(self, view: int, keys: list[str], collection: str | None) -> None:
        """``ttl_many`` through ``view``: one pair per key, in order, duplicates included."""
        self.read_many(view, "ttl_many", keys, collection)

    def read_many(self, view: int, operation: str, keys: list[str], collection: str | None) -> None:
        """Run a bulk read and check each of its results against the model."""
        call = f"{operation}({keys!r}, collection={collection!r})"
        method = getattr(self.views[view], operation)
        found, t0, t1 = self.timed(
            method(keys, collection=collection), view, call, f"a list of {len(keys)} results"
        )
        if not isinstance(found, list) or len(found) != len(keys):
            self.fail(view, call, f"returned {short(found)}, not a list of {len(keys)} results")
        check = self.check_pair if operation == "ttl_many" else self.check_value
        for key, item in zip(keys, found):
            check(view, call, collection, key, item, t0, t1)
        self.observe(view, operation, collection, keys, found)
        for item in found:
            scribble(item[0] if isinstance(item, tuple) else item)

    def do_delete(self, view: int, key: str, collection: str | None) -> None:
        """``delete`` through ``view``: True exactly when a live entry was deleted."""
        call = f"delete({key!r}, collection={collection!r})"
        found, t0, t1 = self.timed(
            self.views[view].delete(key, collection=collection), view, call, "True or False"
        )
        state = self.status(self.entry(view, collection, key), t0, t1)
        if type(found) is not bool:
            self.fail(view, call, f"returned {short(found)}, not a bool")
        if (state == ALIVE and not found) or (state == GONE and found):
            self.fail(
                view,
                call,
                f"returned {found}; the key was {'live' if state == ALIVE else 'absent'}",
            )
        self.forget(view, collection, key)
        self.observe(view, "delete", collection, [key], found)
        self.check_others(view)

    def do_delete_many(self, view: int, keys: list[str], collection: str | None) -> None:
        """``delete_many`` through ``view``: the count of live entries deleted, each key once."""
        call = f"delete_many({keys!r}, collection={collection!r})"
        found, t0, t1 = self.timed(
            self.views[view].delete_many(keys, collection=collection), view, call, "a count"
        )
        states = [self.status(self.entry(view, collection, k), t0, t1) for k in dict.fromkeys(keys)]
        least, most = states.count(ALIVE), states.count(ALIVE) + states.count(UNSURE)
        if type(found) is not int or not least <= found <= most:
            expected = least if least == most else f"{least} to {most}"
            self.fail(view, call, f"returned {short(found)}; {expected} live entries were deleted")
        for key in keys:
            self.forget(view, collection, key)
        self.observe(view, "delete_many", collection, keys, found)
        self.check_others(view)

    def do_invalid(self, view: int, case: kst.InvalidCall, collection: str | None) -> None:
        """An illegal call: it must raise its error and leave the keys it names untouched."""
        call = f"{case!r} (collection={collection!r})"
        method = getattr(self.views[view], case.operation)
        try:
            self.run(method(*case.args, collection=collection, **case.kwargs))
        except case.error:
            pass
        except Exception as error:
            self.fail(view, call, f"raised {type(error).__name__}: {error}")
        else:
            self.fail(view, call, f"raised nothing; {case.error.__name__} was expected")
        if case.untouched:
            self.do_get_many(view, list(case.untouched), collection)

    def do_keys(self, view: int, collection: str | None, limit: int | None) -> None:
        """``keys()`` lists the live keys of a collection, at most ``limit``."""
        call = f"keys({collection!r}, limit={limit!r})"
        found, t0, t1 = self.timed(
            self.views[view].keys(collection, limit=limit), view, call, "a list of keys"
        )
        entries = self.models[view].get(self.name(collection), {})
        states = {k: self.status(e, t0, t1) for k, e in entries.items()}
        alive = {k for k, s in states.items() if s == ALIVE}
        self.check_listing(
            view, call, found, alive, alive | {k for k, s in states.items() if s == UNSURE}, limit
        )

    def do_collections(self, view: int, limit: int | None) -> None:
        """``collections()`` lists every collection with a live entry, at most ``limit``."""
        call = f"collections(limit={limit!r})"
        found, t0, t1 = self.timed(
            self.views[view].collections(limit=limit), view, call, "a list of collections"
        )
        model = self.models[view]
        alive = {
            n
            for n, es in model.items()
            if any(self.status(e, t0, t1) == ALIVE for e in es.values())
        }
        possible = {
            n for n, es in model.items() if any(self.status(e, t0, t1) != GONE for e in es.values())
        }
        self.check_listing(view, call, found, alive, possible, limit)

    def do_destroy_collection(self, view: int, collection: str | None) -> None:
        """``destroy_collection()`` empties one collection and says whether it held anything."""
        name = self.name(collection)
        call = f"destroy_collection({name!r})"
        found, t0, t1 = self.timed(
            self.views[view].destroy_collection(name), view, call, "True or False"
        )
        entries = self.models[view].pop(name, {})
        self.check_destroyed(view, call, found, list(entries.values()), t0, t1)
        self.check_others(view)

    def destroy_target(self, view: int, named: str | int | None) -> str | None:
        """The collection to destroy: ``named`` itself, or for a number the name of the
        ``named``-th collection the model holds, shortened by one character."""
        if not isinstance(named, int):
            return named
        held = sorted(n for n, entries in self.models[view].items() if entries)
        if not held:
            return None
        name = held[named % len(held)]
        return name[:-1] if len(name) > 1 else name

    def do_destroy_collection_beside(self, view: int, named: str | int | None) -> None:
        """Write an entry into a collection whose name extends the one about to be destroyed,
        then destroy it (see :meth:`destroy_target`): the neighbour must stay."""
        collection = self.destroy_target(view, named)
        self.do_put(view, "neighbour", self.name(collection) + "x", {"n": 0}, None)
        self.do_destroy_collection(view, collection)

    def do_destroy(self, view: int) -> None:
        """``destroy()`` empties the store and says whether it held anything."""
        found, t0, t1 = self.timed(self.views[view].destroy(), view, "destroy()", "True or False")
        entries = [e for es in self.models[view].values() for e in es.values()]
        self.models[view].clear()
        self.check_destroyed(view, "destroy()", found, entries, t0, t1)
        self.check_others(view)

    def check_destroyed(
        self, view: int, call: str, found: Any, entries: list[Entry], t0: float, t1: float
    ) -> None:
        """True if a live entry was there, False if nothing ever was; expired leftovers: either."""
        if type(found) is not bool:
            self.fail(view, call, f"returned {short(found)}, not a bool")
        if not found and any(self.status(e, t0, t1) == ALIVE for e in entries):
            self.fail(view, call, "returned False, but live entries were there")
        if found and not entries:
            self.fail(view, call, "returned True, but nothing was there")

    def do_capability(
        self, view: int, operation: str, collection: str | None, limit: int | None
    ) -> None:
        """Run one optional operation, if the store has it."""
        if not self.can(operation):
            return
        if operation == "keys":
            self.do_keys(view, collection, limit)
        elif operation == "collections":
            self.do_collections(view, limit)
        elif operation == "destroy_collection":
            self.do_destroy_collection(view, collection)
        else:
            self.do_destroy(view)

    def do_advance(self, seconds: float) -> None:
        """Move the manual clock forward."""
        assert self.config.clock is not None
        self.config.clock.advance(seconds)

    def next_expiry(self) -> float | None:
        """The soonest instant at which an entry of the model expires, if one is ahead."""
        now = self.now()
        ahead = [
            e.earliest
            for model in self.models
            for entries in model.values()
            for e in entries.values()
            if e.ttl is not None and e.earliest > now
        ]
        return min(ahead) if ahead else None

    def do_advance_to_expiry(self, early: bool) -> None:
        """Move the manual clock to the soonest expiry instant, or to just before it.

        Expiry is inclusive: an entry written at ``t`` with ``ttl`` is live while the clock
        reads less than ``t + ttl`` and gone from ``t + ttl`` on, that instant included.
        """
        clock = self.config.clock
        instant = self.next_expiry()
        assert clock is not None and instant is not None
        target = instant - min(1e-3, (instant - self.now()) / 2) if early else instant
        set_to = getattr(clock, "advance_to", None)
        if callable(set_to):
            set_to(target)
        else:
            clock.advance(target - self.now())

    def do_change_held(self, view: int, operation: str, pick: int) -> None:
        """Overwrite or delete (``operation``, single or bulk) up to three keys the model holds,
        chosen by ``pick``: every one of them was read back after the step that wrote it, so
        a layer that keeps copies must notice the change."""
        held = sorted(
            (name, sorted(entries)) for name, entries in self.models[view].items() if entries
        )
        if not held:
            return
        name, keys = held[pick % len(held)]
        chosen = keys[pick % len(keys) :][:3] or keys[:1]
        self.bulks += 1
        if operation == "put":
            self.do_put(view, chosen[0], name, {"changed": self.bulks}, None)
        elif operation == "put_many":
            items = [(key, {"changed": self.bulks, "n": i}) for i, key in enumerate(chosen)]
            self.do_put_many(view, items, name, None)
        elif operation == "delete":
            self.do_delete(view, chosen[0], name)
        else:
            self.do_delete_many(view, chosen, name)

    def do_put_bulk(
        self, view: int, offset: int, size: int, collection: str | None, ttl: Any
    ) -> None:
        """``put_many`` of ``size`` distinct keys: enough entries that none may go missing."""
        # Each bulk writes new values: an overwrite a cache failed to notice reads stale.
        self.bulks += 1
        items = [(f"bulk{offset + i}", {"n": i, "bulk": self.bulks}) for i in range(size)]
        self.do_put_many(view, items, collection, ttl)

    def do_put_short_lived(
        self, view: int, key: str, collection: str | None, value: Any, ttl: float
    ) -> None:
        """``put`` with the short real TTL, remembered for :meth:`do_wait_for_expiry`."""
        try:
            self.do_put(view, key, collection, value, ttl)
        finally:
            # Set even when the put failed: waiting for nothing is harmless, and whether
            # the wait rule is enabled must not depend on how long the put took.
            deadline = self.now() + ttl + self.margin
            self.expiry_deadline = max(self.expiry_deadline or deadline, deadline)

    def do_wait_for_expiry(self) -> None:
        """Sleep until every short-lived entry written so far must have expired."""
        assert self.expiry_deadline is not None
        time.sleep(max(0.0, self.expiry_deadline - self.now()) + 0.001)
        self.expiry_deadline = None
