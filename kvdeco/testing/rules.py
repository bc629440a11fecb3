"""The rules of the model check: what random programs are made of, and the machine class
built from them for one configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from kvdeco.testing import strategies as kst
from kvdeco.testing.machine import StoreMachine
from kvdeco.testing.model import CAPABILITIES, MachineConfig
from kvdeco.testing.profiles import kit_settings
from kvdeco.validation import DEFAULT_COLLECTION

__all__ = ["build_machine"]

# Mostly two keys and two collections, so that programs revisit them; sometimes odd ones.
_KEYS = st.one_of(
    st.sampled_from(["a", "b"]),
    st.sampled_from(["a", "b"]),
    st.sampled_from(["", "a:b", "ключ", "c"]),
    kst.keys(max_size=8),
)
# "c", "c1" and "c1x" extend one another: destroying one collection must leave the others.
_COLLECTIONS = st.one_of(
    st.sampled_from([None, "c1", "c1x"]),
    st.sampled_from([None, "c1", "c1x"]),
    st.sampled_from(["", "c", "c:2", "ключ", DEFAULT_COLLECTION, f"{DEFAULT_COLLECTION}x"]),
    kst.collections(max_size=8),
)
# Bulk writes of this many distinct keys: a store that quietly drops entries once it holds a
# few dozen shows it within a short program.
_BULK_SIZES = st.integers(min_value=24, max_value=64)
_BULK_OFFSETS = st.sampled_from([0, 64, 128])

# Mostly small values, which keep programs cheap to run and to shrink; sometimes anything.
_VALUES = st.one_of(
    st.fixed_dictionaries({"n": st.integers(0, 3)}),
    st.just({}),
    kst.json_mappings(),
)


def _rule(
    name: str, function: Callable[..., None], **strategies: st.SearchStrategy[Any]
) -> Callable[..., None]:
    # Hypothesis prints each step by the rule's function name.
    function.__name__ = function.__qualname__ = name
    make: Any = rule  # its overloads cannot see that ``strategies`` holds no ``target``
    decorated: Callable[..., None] = make(**strategies)(function)
    return decorated


def _keyed(operation: str, arg: str) -> Callable[..., None]:
    def step(self: StoreMachine, collection: str | None, view: int = 0, **given: Any) -> None:
        getattr(self, f"do_{operation}")(view, given[arg], collection)

    return step


def _rules(cfg: MachineConfig) -> dict[str, Any]:
    """The rules of a machine for ``cfg``, as a class namespace."""
    key = cfg.keys if cfg.keys is not None else _KEYS
    coll = cfg.collections if cfg.collections is not None else _COLLECTIONS
    value = cfg.values if cfg.values is not None else _VALUES
    if cfg.ttls is not None:
        ttl = cfg.ttls
    elif cfg.clock is not None:
        ttl = st.one_of(
            st.none(), st.sampled_from([1, 10, 100]), kst.valid_ttls(max_value=1000.0, none=False)
        )
    else:
        ttl = st.one_of(st.none(), kst.valid_ttls(min_value=3600.0, none=False))
    keys = st.lists(key, max_size=5)
    limit = st.one_of(st.none(), st.integers(min_value=1, max_value=4))
    viewed: dict[str, st.SearchStrategy[Any]] = (
        {"view": st.integers(0, len(cfg.names) - 1)} if len(cfg.names) > 1 else {}
    )
    # Writes and deletes go through the views allowed to write (all, unless restricted).
    written = viewed if cfg.writers is None else {"view": st.sampled_from(cfg.writers)}
    ns: dict[str, Any] = {
        "config": cfg,
        "put": _rule(
            "put",
            lambda self, key, collection, value, ttl, view=0: self.do_put(
                view, key, collection, value, ttl
            ),
            key=key,
            collection=coll,
            value=value,
            ttl=ttl,
            **written,
        ),
        "put_many": _rule(
            "put_many",
            lambda self, items, collection, ttl, view=0: self.do_put_many(
                view, items, collection, ttl
            ),
            items=st.lists(st.tuples(key, value), max_size=4),
            collection=coll,
            ttl=ttl,
            **written,
        ),
        # One rule for the listings and destroy(), so destroying everything is rare.
        "capability": precondition(lambda self: any(self.can(c) for c in CAPABILITIES))(
            _rule(
                "capability",
                lambda self, operation, collection, limit, view=0: self.do_capability(
                    view, operation, collection, limit
                ),
                operation=st.sampled_from(CAPABILITIES),
                collection=coll,
                limit=limit,
                **written,
            )
        ),
        # Its own rule too, naming a collection or the name of a held one less its last
        # character: the collections whose names extend the destroyed one's must stay.
        "destroy_collection": precondition(lambda self: self.can("destroy_collection"))(
            _rule(
                "destroy_collection",
                lambda self, named, view=0: self.do_destroy_collection_beside(view, named),
                # Mapped, so one_of does not flatten ``coll``'s branches: half and half.
                named=st.one_of(st.integers(min_value=0, max_value=7), coll.map(lambda c: c)),
                **written,
            )
        ),
    }
    if cfg.invalid_calls:
        ns["invalid_call"] = _rule(
            "invalid_call",
            lambda self, case, collection, view=0: self.do_invalid(view, case, collection),
            case=kst.invalid_calls(key),
            collection=coll,
            **written,
        )
    # The reads and deletes differ only in their method and whether they take one key or many.
    for name, arg, strategy, views in [
        ("get", "key", key, viewed),
        ("ttl", "key", key, viewed),
        ("get_many", "keys", keys, viewed),
        ("ttl_many", "keys", keys, viewed),
        ("delete", "key", key, written),
        ("delete_many", "keys", keys, written),
    ]:
        ns[name] = _rule(name, _keyed(name, arg), collection=coll, **{arg: strategy}, **views)
    ns["change_held"] = _rule(
        "change_held",
        lambda self, operation, pick, view=0: self.do_change_held(view, operation, pick),
        operation=st.sampled_from(["put", "put_many", "delete", "delete_many"]),
        pick=st.integers(min_value=0, max_value=63),
        **written,
    )
    ns["put_bulk"] = _rule(
        "put_bulk",
        lambda self, offset, size, collection, ttl, view=0: self.do_put_bulk(
            view, offset, size, collection, ttl
        ),
        offset=_BULK_OFFSETS,
        size=_BULK_SIZES,
        collection=coll,
        ttl=ttl,
        **written,
    )
    if cfg.clock is not None:
        ns["advance_to_expiry"] = precondition(lambda self: self.next_expiry() is not None)(
            _rule(
                "advance_to_expiry",
                lambda self, early: self.do_advance_to_expiry(early),
                early=st.sampled_from([False, False, True]),
            )
        )
        ns["advance_clock"] = _rule(
            "advance_clock",
            lambda self, seconds: self.do_advance(seconds),
            seconds=st.one_of(
                st.sampled_from([1.0, 10.0, 100.0]), st.floats(min_value=0.0, max_value=200.0)
            ),
        )
    else:
        short = cfg.expiry_seconds
        ns["put_short_lived"] = _rule(
            "put_short_lived",
            lambda self, key, collection, value, view=0: self.do_put_short_lived(
                view, key, collection, value, short
            ),
            key=key,
            collection=coll,
            value=value,
            **written,
        )
        ns["wait_for_expiry"] = precondition(lambda self: self.expiry_deadline is not None)(
            _rule("wait_for_expiry", lambda self: self.do_wait_for_expiry())
        )
    return ns


def build_machine(
    cfg: MachineConfig,
    base: type[StoreMachine] = StoreMachine,
    name: str = "StoreMachine",
    settings: Settings | None = None,
) -> type[StoreMachine]:
    """Generate the machine class for ``cfg`` (the laws use this with their own ``base``)."""
    machine = type(name, (base,), _rules(cfg))
    return (settings if settings is not None else kit_settings())(machine)
