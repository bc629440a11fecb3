"""The store operations as data, and the one place their real signatures are written.

Every aspect sees a call as a :class:`Call`: the :class:`Operation` it is, the keys (one for a
single-key operation), the collection, the values of a write and the TTL. An aspect that
changes a call builds a new one with :meth:`Call.replace` (calls are never mutated, because a
retry or a fallback proceeds with the same call twice) and passes it on.

:func:`operation_methods` turns a dispatch function into the thirteen methods with the
protocol's real signatures; the class path and the instance path both use it, so no wrapper
writes a method per operation.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "CAPABILITIES",
    "OPERATIONS",
    "PROTOCOL_OPERATIONS",
    "Call",
    "Kind",
    "Operation",
    "Proceed",
    "operation_entries",
    "operation_methods",
    "proxy_methods",
]


class Kind(enum.Enum):
    """What an operation does to the store."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    LIST = "list"
    ADMIN = "admin"


class Operation:
    """One store operation: its name, kind and shape.

    Attributes:
        name: The method name, such as ``"get_many"``.
        kind: Read, write, delete, list or admin.
        many: Whether it takes a list of keys.
        with_ttl: Whether its result pairs each value with its remaining TTL.
        capability: Whether it is optional (``keys``, ``collections``, ``destroy``...).
    """

    __slots__ = ("capability", "invoke", "kind", "many", "name", "with_ttl")

    def __init__(
        self,
        name: str,
        kind: Kind,
        invoke: Callable[[Any, Call], Awaitable[Any]],
        *,
        many: bool = False,
        with_ttl: bool = False,
        capability: bool = False,
    ) -> None:
        self.name = name
        self.kind = kind
        self.invoke = invoke
        self.many = many
        self.with_ttl = with_ttl
        self.capability = capability

    @property
    def is_write(self) -> bool:
        """Whether the operation changes what the store holds."""
        return self.kind is Kind.WRITE or self.kind is Kind.DELETE

    def __repr__(self) -> str:
        return f"<operation {self.name}>"

    def __reduce__(self) -> str:
        return self.name.upper()


_SAME: Any = object()


class Call:
    """One normalised call of an operation, as an aspect sees it.

    Attributes:
        op: The operation.
        keys: The keys; a single-key operation has exactly one.
        collection: The collection as the caller gave it (``None`` is the default one).
        values: The values of a write, one per key; ``None`` otherwise.
        ttl: The TTL of a write; ``None`` otherwise.
        limit: The ``limit`` of ``keys()`` and ``collections()``.
    """

    __slots__ = ("collection", "keys", "limit", "op", "ttl", "values")

    def __init__(
        self,
        op: Operation,
        keys: Sequence[str] = (),
        collection: str | None = None,
        values: Sequence[Mapping[str, Any]] | None = None,
        ttl: Any = None,
        limit: int | None = None,
    ) -> None:
        self.op = op
        self.keys = keys
        self.collection = collection
        self.values = values
        self.ttl = ttl
        self.limit = limit

    @property
    def key(self) -> str:
        """The key of a single-key operation."""
        return self.keys[0]

    def replace(
        self,
        *,
        op: Any = _SAME,
        keys: Any = _SAME,
        collection: Any = _SAME,
        values: Any = _SAME,
        ttl: Any = _SAME,
        limit: Any = _SAME,
    ) -> Call:
        """Return a copy with some fields changed, such as ``call.replace(ttl=60)``."""
        return Call(
            self.op if op is _SAME else op,
            self.keys if keys is _SAME else keys,
            self.collection if collection is _SAME else collection,
            self.values if values is _SAME else values,
            self.ttl if ttl is _SAME else ttl,
            self.limit if limit is _SAME else limit,
        )

    def __repr__(self) -> str:
        # No values: a repr ends up in logs and tracebacks.
        return (
            f"Call({self.op.name}, keys={list(self.keys)!r}, collection={self.collection!r}, "
            f"ttl={self.ttl!r})"
        )


Proceed = Callable[[Call], Awaitable[Any]]
"""What an aspect calls to pass a call on to the next layer."""


def _get(s: Any, c: Call) -> Awaitable[Any]:
    return s.get(c.keys[0], collection=c.collection)  # type: ignore[no-any-return]


def _ttl(s: Any, c: Call) -> Awaitable[Any]:
    return s.ttl(c.keys[0], collection=c.collection)  # type: ignore[no-any-return]


def _put(s: Any, c: Call) -> Awaitable[Any]:
    assert c.values is not None
    return s.put(c.keys[0], c.values[0], collection=c.collection, ttl=c.ttl)  # type: ignore[no-any-return]


def _delete(s: Any, c: Call) -> Awaitable[Any]:
    return s.delete(c.keys[0], collection=c.collection)  # type: ignore[no-any-return]


def _get_many(s: Any, c: Call) -> Awaitable[Any]:
    return s.get_many(c.keys, collection=c.collection)  # type: ignore[no-any-return]


def _ttl_many(s: Any, c: Call) -> Awaitable[Any]:
    return s.ttl_many(c.keys, collection=c.collection)  # type: ignore[no-any-return]


def _put_many(s: Any, c: Call) -> Awaitable[Any]:
    return s.put_many(c.keys, c.values, collection=c.collection, ttl=c.ttl)  # type: ignore[no-any-return]


def _delete_many(s: Any, c: Call) -> Awaitable[Any]:
    return s.delete_many(c.keys, collection=c.collection)  # type: ignore[no-any-return]


def _keys(s: Any, c: Call) -> Awaitable[Any]:
    return s.keys(c.collection, limit=c.limit)  # type: ignore[no-any-return]


def _collections(s: Any, c: Call) -> Awaitable[Any]:
    return s.collections(limit=c.limit)  # type: ignore[no-any-return]


def _destroy(s: Any, c: Call) -> Awaitable[Any]:
    return s.destroy()  # type: ignore[no-any-return]


def _destroy_collection(s: Any, c: Call) -> Awaitable[Any]:
    return s.destroy_collection(c.collection)  # type: ignore[no-any-return]


def _cull(s: Any, c: Call) -> Awaitable[Any]:
    return s.cull()  # type: ignore[no-any-return]


GET: Final = Operation("get", Kind.READ, _get)
TTL: Final = Operation("ttl", Kind.READ, _ttl, with_ttl=True)
PUT: Final = Operation("put", Kind.WRITE, _put)
DELETE: Final = Operation("delete", Kind.DELETE, _delete)
GET_MANY: Final = Operation("get_many", Kind.READ, _get_many, many=True)
TTL_MANY: Final = Operation("ttl_many", Kind.READ, _ttl_many, many=True, with_ttl=True)
PUT_MANY: Final = Operation("put_many", Kind.WRITE, _put_many, many=True)
DELETE_MANY: Final = Operation("delete_many", Kind.DELETE, _delete_many, many=True)
KEYS: Final = Operation("keys", Kind.LIST, _keys, capability=True)
COLLECTIONS: Final = Operation("collections", Kind.LIST, _collections, capability=True)
DESTROY: Final = Operation("destroy", Kind.DELETE, _destroy, capability=True)
DESTROY_COLLECTION: Final = Operation(
    "destroy_collection", Kind.DELETE, _destroy_collection, capability=True
)
CULL: Final = Operation("cull", Kind.ADMIN, _cull, capability=True)

PROTOCOL_OPERATIONS: Final = (GET, TTL, PUT, DELETE, GET_MANY, TTL_MANY, PUT_MANY, DELETE_MANY)
"""The eight operations of :class:`kvdeco.protocols.AsyncKeyValue`."""
CAPABILITIES: Final = (KEYS, COLLECTIONS, DESTROY, DESTROY_COLLECTION, CULL)
"""The optional operations a store may have."""
OPERATIONS: Final = {op.name: op for op in PROTOCOL_OPERATIONS + CAPABILITIES}
"""Every operation by name."""

Dispatch = Callable[[Any, Call], Awaitable[Any]]


def _collect(scope: dict[str, Any], *, mark: bool = False) -> dict[str, Callable[..., Any]]:
    """The operation functions a builder defined (its ``locals()``), by operation name.

    ``mark``: flag them as coroutine functions (they return an awaitable without being one).
    """
    found: dict[str, Callable[..., Any]] = {name: scope[name] for name in OPERATIONS}
    if mark:
        for function in found.values():
            _mark_coroutine_function(function)
    return found


def operation_methods(dispatch: Dispatch) -> dict[str, Callable[..., Any]]:
    """Build every operation's method, with its real signature, around one dispatch function.

    Args:
        dispatch: Called as ``dispatch(self, call)``; returns an awaitable of the result.

    Returns:
        The methods by name, ready to be set on a class. They return ``dispatch``'s awaitable
        without a coroutine of their own, and are marked as coroutine functions.
    """

    def get(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return dispatch(self, Call(GET, (key,), collection))

    def ttl(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return dispatch(self, Call(TTL, (key,), collection))

    def put(
        self: Any,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> Awaitable[None]:
        return dispatch(self, Call(PUT, (key,), collection, (value,), ttl))

    def delete(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return dispatch(self, Call(DELETE, (key,), collection))

    def get_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return dispatch(self, Call(GET_MANY, keys, collection))

    def ttl_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return dispatch(self, Call(TTL_MANY, keys, collection))

    def put_many(
        self: Any,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> Awaitable[None]:
        return dispatch(self, Call(PUT_MANY, keys, collection, values, ttl))

    def delete_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return dispatch(self, Call(DELETE_MANY, keys, collection))

    def keys(
        self: Any, collection: str | None = None, *, limit: int | None = None
    ) -> Awaitable[Any]:
        return dispatch(self, Call(KEYS, (), collection, limit=limit))

    def collections(self: Any, *, limit: int | None = None) -> Awaitable[Any]:
        return dispatch(self, Call(COLLECTIONS, limit=limit))

    def destroy(self: Any) -> Awaitable[Any]:
        return dispatch(self, Call(DESTROY))

    def destroy_collection(self: Any, collection: str) -> Awaitable[Any]:
        return dispatch(self, Call(DESTROY_COLLECTION, (), collection))

    def cull(self: Any) -> Awaitable[None]:
        return dispatch(self, Call(CULL))

    return _collect(locals(), mark=True)


Around = Callable[[Call, Proceed], Awaitable[Any]]


def operation_entries(around: Around, proceed: Proceed) -> dict[str, Callable[..., Any]]:
    """Build each operation's entry into one layer: make the :class:`Call`, start ``around``.

    An entry returns the awaitable ``around(call, proceed)`` gives, without a coroutine of its
    own: one frame less per layer and per call. A wrapper keeps these per store (see
    :func:`proxy_methods`).

    Args:
        around: The layer's hook, usually a runtime's bound ``around``.
        proceed: How the layer passes a call on.

    Returns:
        The entries by operation name, taking the same arguments as the store's methods.
    """

    def get(key: str, collection: str | None = None) -> Awaitable[Any]:
        return around(Call(GET, (key,), collection), proceed)

    def ttl(key: str, collection: str | None = None) -> Awaitable[Any]:
        return around(Call(TTL, (key,), collection), proceed)

    def put(
        key: str, value: Mapping[str, Any], collection: str | None = None, ttl: Any = None
    ) -> Awaitable[Any]:
        return around(Call(PUT, (key,), collection, (value,), ttl), proceed)

    def delete(key: str, collection: str | None = None) -> Awaitable[Any]:
        return around(Call(DELETE, (key,), collection), proceed)

    def get_many(keys: Sequence[str], collection: str | None = None) -> Awaitable[Any]:
        return around(Call(GET_MANY, keys, collection), proceed)

    def ttl_many(keys: Sequence[str], collection: str | None = None) -> Awaitable[Any]:
        return around(Call(TTL_MANY, keys, collection), proceed)

    def put_many(
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        collection: str | None = None,
        ttl: Any = None,
    ) -> Awaitable[Any]:
        return around(Call(PUT_MANY, keys, collection, values, ttl), proceed)

    def delete_many(keys: Sequence[str], collection: str | None = None) -> Awaitable[Any]:
        return around(Call(DELETE_MANY, keys, collection), proceed)

    def keys(collection: str | None = None, limit: int | None = None) -> Awaitable[Any]:
        return around(Call(KEYS, (), collection, limit=limit), proceed)

    def collections(limit: int | None = None) -> Awaitable[Any]:
        return around(Call(COLLECTIONS, limit=limit), proceed)

    def destroy() -> Awaitable[Any]:
        return around(Call(DESTROY), proceed)

    def destroy_collection(collection: str) -> Awaitable[Any]:
        return around(Call(DESTROY_COLLECTION, (), collection), proceed)

    def cull() -> Awaitable[Any]:
        return around(Call(CULL), proceed)

    return _collect(locals())


def proxy_methods() -> dict[str, Callable[..., Any]]:
    """Build each operation's method, with its real signature, calling ``self._self_via_<name>``.

    The methods return the entry's awaitable directly (no coroutine of their own); they are
    marked so that :func:`asyncio.iscoroutinefunction` (and, from Python 3.12,
    :func:`inspect.iscoroutinefunction`) still call them coroutine functions.

    ``self._self_via_get`` is whatever has the ``get`` to call: a namespace of
    :func:`operation_entries`, or the wrapped store itself for an operation the layer passes
    through untouched (its method is then looked up at each call, as a direct call would).
    """

    def get(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return self._self_via_get.get(key, collection=collection)  # type: ignore[no-any-return]

    def ttl(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return self._self_via_ttl.ttl(key, collection=collection)  # type: ignore[no-any-return]

    def put(
        self: Any,
        key: str,
        value: Mapping[str, Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> Awaitable[None]:
        return self._self_via_put.put(key, value, collection=collection, ttl=ttl)  # type: ignore[no-any-return]

    def delete(self: Any, key: str, *, collection: str | None = None) -> Awaitable[Any]:
        return self._self_via_delete.delete(key, collection=collection)  # type: ignore[no-any-return]

    def get_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return self._self_via_get_many.get_many(keys, collection=collection)  # type: ignore[no-any-return]

    def ttl_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return self._self_via_ttl_many.ttl_many(keys, collection=collection)  # type: ignore[no-any-return]

    def put_many(
        self: Any,
        keys: Sequence[str],
        values: Sequence[Mapping[str, Any]],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> Awaitable[None]:
        return self._self_via_put_many.put_many(keys, values, collection=collection, ttl=ttl)  # type: ignore[no-any-return]

    def delete_many(
        self: Any, keys: Sequence[str], *, collection: str | None = None
    ) -> Awaitable[Any]:
        return self._self_via_delete_many.delete_many(keys, collection=collection)  # type: ignore[no-any-return]

    def keys(
        self: Any, collection: str | None = None, *, limit: int | None = None
    ) -> Awaitable[Any]:
        return self._self_via_keys.keys(collection, limit=limit)  # type: ignore[no-any-return]

    def collections(self: Any, *, limit: int | None = None) -> Awaitable[Any]:
        return self._self_via_collections.collections(limit=limit)  # type: ignore[no-any-return]

    def destroy(self: Any) -> Awaitable[Any]:
        return self._self_via_destroy.destroy()  # type: ignore[no-any-return]

    def destroy_collection(self: Any, collection: str) -> Awaitable[Any]:
        return self._self_via_destroy_collection.destroy_collection(collection)  # type: ignore[no-any-return]

    def cull(self: Any) -> Awaitable[None]:
        return self._self_via_cull.cull()  # type: ignore[no-any-return]

    return _collect(locals(), mark=True)


def _mark_coroutine_function(function: Callable[..., Any]) -> None:
    import asyncio.coroutines
    import inspect

    mark = getattr(inspect, "markcoroutinefunction", None)  # Python 3.12+
    if mark is not None:
        mark(function)
    else:
        function._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]
