"""The store operations as data, and the one place their real signatures are written.

Every aspect sees a call as a :class:`Call`: the :class:`Operation` it is, the keys (one for a
single-key operation), the collection, the values of a write and the TTL. An aspect that
changes a call builds a new one with :meth:`Call.replace` (calls are never mutated, because a
retry or a fallback proceeds with the same call twice) and passes it on.

The thirteen signatures are written once, in :mod:`kvdeco.protocols`. Every function that
takes or forwards an operation's arguments (the methods of a decorated class, the entries and
methods of a wrapper proxy, the call that reaches a store) is generated from them here: a
source template per family, compiled once at import with a :mod:`linecache` entry so that
tracebacks and :func:`inspect.getsource` show real code, and the protocol's annotations and
docstring copied onto the result.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import linecache
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final

from kvdeco import protocols

__all__ = [
    "CAPABILITIES",
    "OPERATIONS",
    "PROTOCOL_OPERATIONS",
    "Call",
    "Kind",
    "Operation",
    "Proceed",
]


class Kind(enum.Enum):
    """What an operation does to the store."""

    READ = "read"
    WRITE = "write"
    DELETE = "delete"
    LIST = "list"
    ADMIN = "admin"


@dataclasses.dataclass(frozen=True, eq=False, repr=False, slots=True)
class Operation:
    """One store operation: its name, kind and shape.

    Attributes:
        name: The method name, such as ``"get_many"``.
        kind: Read, write, delete, list or admin.
        invoke: Passes a :class:`Call` to a store as this operation's arguments.
        many: Whether it takes a list of keys.
        with_ttl: Whether its result pairs each value with its remaining TTL.
        capability: Whether it is optional (``keys``, ``collections``, ``destroy``...).
        declaration: Its method in :mod:`kvdeco.protocols`: signature and docstring.
    """

    name: str
    kind: Kind
    invoke: Callable[[Any, Call], Awaitable[Any]]
    many: bool = False
    with_ttl: bool = False
    capability: bool = False
    declaration: Callable[..., Any] | None = None

    @property
    def is_write(self) -> bool:
        """Whether the operation changes what the store holds."""
        return self.kind is Kind.WRITE or self.kind is Kind.DELETE

    def __repr__(self) -> str:
        return f"<operation {self.name}>"

    def __reduce__(self) -> str:
        return self.name.upper()


_SAME: Any = object()


@dataclasses.dataclass(eq=False, repr=False, slots=True)
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

    op: Operation
    keys: Sequence[str] = ()
    collection: str | None = None
    values: Sequence[Mapping[str, Any]] | None = None
    ttl: Any = None
    limit: int | None = None

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


_PROTOCOLS: Final = [getattr(protocols, name) for name in protocols.__all__]
"""Where the operations' signatures are written."""

_KINDS: Final = {
    "get": Kind.READ,
    "ttl": Kind.READ,
    "put": Kind.WRITE,
    "delete": Kind.DELETE,
    "get_many": Kind.READ,
    "ttl_many": Kind.READ,
    "put_many": Kind.WRITE,
    "delete_many": Kind.DELETE,
    "keys": Kind.LIST,
    "collections": Kind.LIST,
    "destroy": Kind.DELETE,
    "destroy_collection": Kind.DELETE,
    "cull": Kind.ADMIN,
}
"""Every operation, in the order they are listed, and what it does."""

_DECLARATIONS: Final = {
    name: member
    for protocol in _PROTOCOLS
    for name, member in vars(protocol).items()
    if name in _KINDS
}

_PARAMETERS: Final = {
    # parameter: (the Call field it fills, the expression that fills it, how a Call gives it back)
    "key": ("keys", "(key,)", "c.keys[0]"),
    "keys": ("keys", "keys", "c.keys"),
    "value": ("values", "(value,)", "c.values[0]"),
    "values": ("values", "values", "c.values"),
    "collection": ("collection", "collection", "c.collection"),
    "ttl": ("ttl", "ttl", "c.ttl"),
    "limit": ("limit", "limit", "c.limit"),
}


def _template_fields(name: str) -> dict[str, str]:
    """The pieces of one operation's signature that the templates are filled with."""
    parameters = list(inspect.signature(_DECLARATIONS[name]).parameters.values())[1:]
    fields = {"keys": "()", "collection": "None", "values": "None", "ttl": "None"}
    limit = ""
    for p in parameters:
        field, expression, _ = _PARAMETERS[p.name]
        if field == "limit":
            limit = f", limit={expression}"
        else:
            fields[field] = expression
    bare = inspect.Signature([p.replace(annotation=p.empty) for p in parameters])
    return {
        "name": name,
        "declared": str(bare)[1:-1],
        "call": f"Call({name.upper()}, {', '.join(fields.values())}{limit})",
        "forwarded": ", ".join(
            p.name if p.kind is p.POSITIONAL_OR_KEYWORD else f"{p.name}={p.name}"
            for p in parameters
        ),
        "stored": ", ".join(
            ("{}" if p.kind is p.POSITIONAL_OR_KEYWORD else p.name + "={}").format(
                _PARAMETERS[p.name][2]
            )
            for p in parameters
        ),
    }


_TEMPLATES: Final = {
    # family: (the builder's arguments, the lines it starts with per operation, each
    # function's parameters, its body)
    "invoke": ("", "", "s, c", "return s.{name}({stored})"),
    "forward": ("", "", "self, {declared}", "return self.__wrapped__.{name}({forwarded})"),
    "method": (
        "chain_of, attribute, guarded",
        "",
        "self, {declared}",
        # The chain is found in the instance's dict after the first call.
        "return guarded(self.__dict__.get(attribute) or chain_of(self), self, {call})",
    ),
    "entry": (
        "entries",
        "around_{name}, proceed_{name} = entries[{name!r}]",
        "{declared}",
        "return around_{name}({call}, proceed_{name})",
    ),
}


def _compile_builder(family: str) -> Callable[..., dict[str, Callable[..., Any]]]:
    """Compile the builder of one family: given its arguments, it returns one function per
    operation, made from the family's template and each operation's protocol signature.

    The source gets a :mod:`linecache` entry, so tracebacks and :func:`inspect.getsource`
    show it under its own file name.
    """
    arguments, setup, parameters, body = _TEMPLATES[family]
    lines = [f"def build({arguments}):"]
    for name in _KINDS:
        fields = _template_fields(name)
        if setup:
            lines.append("    " + setup.format(**fields))
        head = parameters.format(**fields)
        lines += [f"    def {name}({head}):", "        " + body.format(**fields), ""]
    lines.append(f"    return {{{', '.join(f'{n!r}: {n}' for n in _KINDS)}}}")
    source = "\n".join(lines) + "\n"
    filename = f"<kvdeco generated {family} operations>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope: dict[str, Any] = {"Call": Call, **_CONSTANTS}
    # The source is built above from the protocol's own signatures, never from input.
    exec(compile(source, filename, "exec"), scope)
    builder: Callable[..., dict[str, Callable[..., Any]]] = scope["build"]
    return builder


def _as_methods(functions: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Give generated methods the protocol's annotations and docstrings, and mark them as
    coroutine functions: they return an awaitable without being a coroutine themselves."""
    for name, function in functions.items():
        protocol_function = _DECLARATIONS[name]
        function.__annotations__ = dict(protocol_function.__annotations__)
        function.__doc__ = protocol_function.__doc__
        _mark_coroutine_function(function)
    return functions


def _mark_coroutine_function(function: Callable[..., Any]) -> None:
    import asyncio.coroutines

    mark = getattr(inspect, "markcoroutinefunction", None)  # Python 3.12+
    if mark is not None:
        mark(function)
    else:
        function._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]


_CONSTANTS: dict[str, Operation] = {}
"""Each operation under its constant's name, as the generated code refers to it."""
_invokers = _compile_builder("invoke")()
for _name, _kind in _KINDS.items():
    _declaration = _DECLARATIONS[_name]
    _CONSTANTS[_name.upper()] = Operation(
        _name,
        _kind,
        _invokers[_name],
        many="keys" in inspect.signature(_declaration).parameters,
        with_ttl=_name.startswith("ttl"),
        capability=_declaration.__qualname__.split(".")[0] != "AsyncKeyValue",
        declaration=_declaration,
    )

OPERATIONS: Final = {op.name: op for op in _CONSTANTS.values()}
"""Every operation by name."""
PROTOCOL_OPERATIONS: Final = tuple(op for op in OPERATIONS.values() if not op.capability)
"""The eight operations of :class:`kvdeco.protocols.AsyncKeyValue`."""
CAPABILITIES: Final = tuple(op for op in OPERATIONS.values() if op.capability)
"""The optional operations a store may have."""
GET, TTL, PUT, DELETE, GET_MANY, TTL_MANY, PUT_MANY, DELETE_MANY = PROTOCOL_OPERATIONS
KEYS, COLLECTIONS, DESTROY, DESTROY_COLLECTION, CULL = CAPABILITIES

Around = Callable[[Call, Proceed], Awaitable[Any]]

_build_methods: Final = _compile_builder("method")
_build_entries: Final = _compile_builder("entry")
_build_forwarding: Final = _compile_builder("forward")


def operation_methods(
    chain_of: Callable[[Any], Any],
    attribute: str,
    guarded: Callable[[Any, Any, Call], Awaitable[Any]],
) -> dict[str, Callable[..., Any]]:
    """Build every operation's method of a decorated class, with the protocol's signature.

    Args:
        chain_of: Builds an instance's chain on its first call, and keeps it in the
            instance's ``__dict__`` under ``attribute``.
        attribute: Where an instance keeps its chain.
        guarded: Runs a call through a chain unless it re-enters its store.

    Returns:
        The methods by name, ready to be set on a class. They return the chain's awaitable
        without a coroutine of their own, and are marked as coroutine functions.
    """
    return _as_methods(_build_methods(chain_of, attribute, guarded))


def chain_entries(
    entries: Mapping[str, tuple[Around, Proceed]],
) -> dict[str, Callable[..., Any]]:
    """Build each operation's entry into a chain: make the :class:`Call`, start its layer.

    An entry takes the operation's arguments as the protocol declares them and returns the
    awaitable ``around(call, proceed)`` gives, without a coroutine of its own: one frame less
    per layer and per call. A proxy hands it out as its method (see :mod:`kvdeco._proxy`).

    Args:
        entries: Per operation name, the ``around`` of its outermost layer and the
            ``proceed`` it is given (see :class:`kvdeco._chain.Chain`).

    Returns:
        The entries by operation name, with the protocol's signatures and docstrings.
    """
    return _as_methods(_build_entries(entries))


def forwarding_methods() -> dict[str, Callable[..., Any]]:
    """Build each operation's method that passes its call to ``self.__wrapped__`` unchanged.

    Returns:
        The methods by name, with the protocol's signatures and docstrings.
    """
    return _as_methods(_build_forwarding())
