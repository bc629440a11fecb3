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
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from kvdeco.aspect import Aspect
from kvdeco.decorating import Decorator
from kvdeco.operations import Call, Proceed
from kvdeco.wrappers.base import AspectWrapper, _check_store

__all__ = [
    "CollectionRoutingWrapper",
    "Routing",
    "RoutingFunction",
    "RoutingWrapper",
    "route_collections",
    "routed",
]

RoutingFunction = Callable[[str | None], Any]
"""Takes a collection name (``None``: the default collection), returns a store or ``None``."""


@dataclasses.dataclass(frozen=True, repr=False)
class Routing(Aspect):
    """The aspect behind :func:`routed`: which store each collection's operations go to.

    Attributes:
        routing_function: Picks the store for a collection; ``None`` for the default store.
        stores: Every store the function may pick, for ``collections()``, ``destroy()`` and
            ``cull()`` (the stores nobody lists are not reached by those).
    """

    label: ClassVar[str] = "routed"
    routing_function: RoutingFunction
    stores: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if not callable(self.routing_function):
            raise TypeError("routing_function must be callable")
        stores = tuple({id(s): s for s in self.stores}.values())
        for store in stores:
            _check_store(store, "a routed store")
        object.__setattr__(self, "stores", stores)

    def target(self, collection: str | None) -> Any:
        """The store of ``collection``, or ``None`` for the default store."""
        return self.routing_function(collection)

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
        for store in (None, *self.stores):
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
        for store in self.stores:
            if hasattr(store, call.op.name):
                outcome = await call.op.invoke(store, call)
                if call.op.name == "destroy":
                    result = bool(result) or bool(outcome)
        return result


def _collection_route(collection_map: Mapping[str, Any]) -> RoutingFunction:
    routes = MappingProxyType(dict(collection_map))

    def route_by_collection(collection: str | None) -> Any:
        return None if collection is None else routes.get(collection)

    return route_by_collection


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
        super().__init__(default_store, Routing(routing_function, tuple(stores)))


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
        super().__init__(
            _collection_route(collection_map), default_store, stores=tuple(collection_map.values())
        )


def routed(routing_function: RoutingFunction, *, stores: Sequence[Any] = ()) -> Decorator[Any]:
    """Decorate a store class or instance: it becomes the default store of a router.

    Example:
        >>> from kvdeco import MemoryStore
        >>> sessions = MemoryStore()
        >>> @routed(lambda c: sessions if c == "sessions" else None, stores=[sessions])
        ... class AppStore(MemoryStore):
        ...     pass
    """
    return Decorator(Routing(routing_function, tuple(stores)), RoutingWrapper)


def route_collections(collection_map: Mapping[str, Any]) -> Decorator[Any]:
    """Decorate a store class or instance: collections in the map go to their stores.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @route_collections({"sessions": MemoryStore()})
        ... class AppStore(MemoryStore):
        ...     pass
    """
    return Decorator(
        Routing(_collection_route(collection_map), tuple(collection_map.values())),
        RoutingWrapper,
    )
