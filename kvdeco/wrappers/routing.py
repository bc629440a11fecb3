"""Send each operation to a store chosen by its collection.

``RoutingWrapper`` asks a routing function which store holds a collection; ``None`` means the
default store. ``CollectionRoutingWrapper`` is the common case, a map from collection names
to stores. Every operation of a collection goes to its store with the collection name
unchanged, so a store can serve several routes.

The optional operations route too: ``keys(collection)`` and ``destroy_collection`` go to the
collection's store; ``collections()`` lists, from the default store and every store the
router knows of (the map's stores; for ``RoutingWrapper`` the ones given as ``stores``), the
collections that route back to that store; ``destroy()`` and ``cull()`` reach each of those
stores once. The proxy wraps the default store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from kvdeco._factory import CalledDecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Proceed
from kvdeco.validation import check_store
from kvdeco.wrappers._arguments import checked, function
from kvdeco.wrappers.base import AspectWrapper

__all__ = [
    "CollectionRouting",
    "CollectionRoutingWrapper",
    "Routing",
    "RoutingFunction",
    "RoutingWrapper",
    "route_collections",
    "routed",
]

RoutingFunction = Callable[[str | None], Any]
"""Takes a collection name (``None``: the default collection), returns a store or ``None``."""


def _distinct(stores: Iterable[Any]) -> tuple[Any, ...]:
    """Each store once, in the order first given."""
    return tuple({id(s): s for s in stores}.values())


def _routed_stores(stores: Iterable[Any], name: str) -> tuple[Any, ...]:
    """The stores a router reaches besides its default store, each once, checked."""
    distinct = _distinct(stores)
    for store in distinct:
        check_store(store, "a routed store")
    return distinct


def _collection_map(value: Any, name: str) -> dict[str, Any]:
    """A private copy of a map from collection names to stores, its stores checked."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of collection names to stores")
    routes = dict(value)
    _routed_stores(routes.values(), name)
    return routes


class _Router(Aspect):
    """What both routing aspects do, given the store of each collection and the stores known.

    Subclasses say where a collection goes (:meth:`target`) and which stores besides the
    default one the optional operations reach (:meth:`reachable`).
    """

    def target(self, collection: str | None) -> Any:
        """The store of ``collection``, or ``None`` for the default store."""
        raise NotImplementedError

    def reachable(self) -> tuple[Any, ...]:
        """The stores that ``collections()``, ``destroy()`` and ``cull()`` reach too."""
        raise NotImplementedError

    async def around(self, call: Call, proceed: Proceed) -> Any:
        name = call.op.name
        if name == "collections":
            return await self._collections(call, proceed)
        if name in ("destroy", "cull"):
            return await self._everywhere(call, proceed)
        store = self.target(call.collection)
        if store is None:
            return await proceed(call)
        return await call.op.invoke(store, call)

    async def _collections(self, call: Call, proceed: Proceed) -> list[str]:
        listed: dict[str, None] = {}
        for store in (None, *self.reachable()):
            if store is None:
                names = await proceed(call.replace(limit=None))
            elif hasattr(store, "collections"):
                names = await store.collections()
            else:
                continue
            for name in names:
                if self.target(name) is store:
                    listed[name] = None
        found = list(listed)
        return found if call.limit is None else found[: call.limit]

    async def _everywhere(self, call: Call, proceed: Proceed) -> Any:
        result = await proceed(call)
        for store in self.reachable():
            if hasattr(store, call.op.name):
                outcome = await call.op.invoke(store, call)
                if call.op.name == "destroy":
                    result = bool(result) or bool(outcome)
        return result


@dataclasses.dataclass(frozen=True, repr=False)
class Routing(_Router):
    """The aspect behind :func:`routed`: which store each collection's operations go to.

    Attributes:
        routing_function: Picks the store for a collection; ``None`` for the default store.
        stores: Every store the function may pick, for ``collections()``, ``destroy()`` and
            ``cull()`` (the stores nobody lists are not reached by those), each once.
    """

    label: ClassVar[str] = "routed"
    routing_function: RoutingFunction = dataclasses.field(metadata=checked(function))
    _: dataclasses.KW_ONLY
    stores: Sequence[Any] = dataclasses.field(default=(), metadata=checked(_routed_stores))

    def target(self, collection: str | None) -> Any:
        return self.routing_function(collection)

    def reachable(self) -> tuple[Any, ...]:
        return tuple(self.stores)


@dataclasses.dataclass(frozen=True, repr=False)
class CollectionRouting(_Router):
    """The aspect behind :func:`route_collections`: a map from collection names to stores.

    Attributes:
        collection_map: Collection name to store (a private copy); ``None`` and every name
            not in it go to the default store.
    """

    label: ClassVar[str] = "route_collections"
    # A dict cannot be hashed: the aspect's hash leaves the map out, equality compares it.
    collection_map: Mapping[str, Any] = dataclasses.field(
        hash=False, metadata=checked(_collection_map)
    )

    def target(self, collection: str | None) -> Any:
        return None if collection is None else self.collection_map.get(collection)

    def reachable(self) -> tuple[Any, ...]:
        return _distinct(self.collection_map.values())


class RoutingWrapper(AspectWrapper):
    """Route each operation to a store chosen by its collection (py-key-value's wrapper).

    Args:
        routing_function: Takes the collection name and returns the store to use, or
            ``None`` for ``default_store``.
        default_store: The store of every collection the function does not route.
        stores: The stores the function may return, so that ``collections()``, ``destroy()``
            and ``cull()`` reach them too (a kvdeco addition; optional).

    Example:
        >>> from kvdeco import MemoryStore
        >>> sessions, everything_else = MemoryStore(), MemoryStore()
        >>> router = RoutingWrapper(
        ...     routing_function=lambda c: sessions if c == "sessions" else None,
        ...     default_store=everything_else,
        ... )
    """

    def __init__(
        self,
        routing_function: RoutingFunction,
        default_store: Any,
        *,
        stores: Sequence[Any] = (),
    ) -> None:
        super().__init__(default_store, Routing(routing_function=routing_function, stores=stores))


class CollectionRoutingWrapper(RoutingWrapper):
    """Route each collection named in a map to its store, the others to ``default_store``.

    Args:
        collection_map: Collection name to store.
        default_store: The store of every collection not in the map.

    Example:
        >>> from kvdeco import MemoryStore
        >>> router = CollectionRoutingWrapper(
        ...     collection_map={"sessions": MemoryStore(), "users": MemoryStore()},
        ...     default_store=MemoryStore(),
        ... )
    """

    def __init__(self, collection_map: Mapping[str, Any], default_store: Any) -> None:
        # A RoutingWrapper (as in py-key-value) whose aspect is the map itself, not a function.
        AspectWrapper.__init__(
            self, default_store, CollectionRouting(collection_map=collection_map)
        )


routed = CalledDecoratorFactory(
    Routing,
    RoutingWrapper,
    name="routed",
    doc="""Decorate a store class or instance: it becomes the default store of a router.

    Takes the arguments of :class:`RoutingWrapper` but ``default_store``.

    Example:
        >>> from kvdeco import MemoryStore
        >>> sessions = MemoryStore()
        >>> @routed(lambda c: sessions if c == "sessions" else None, stores=[sessions])
        ... class AppStore(MemoryStore):
        ...     pass
    """,
)

route_collections = CalledDecoratorFactory(
    CollectionRouting,
    CollectionRoutingWrapper,
    name="route_collections",
    doc="""Decorate a store class or instance: collections in the map go to their stores.

    Takes the arguments of :class:`CollectionRoutingWrapper` but ``default_store``.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @route_collections({"sessions": MemoryStore()})
        ... class AppStore(MemoryStore):
        ...     pass
    """,
)
