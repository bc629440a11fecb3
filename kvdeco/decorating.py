"""Applying an aspect to a store class or a store instance; the class path.

:class:`Decorator` is what ``with_retry(...)``, ``prefix_keys(...)`` and the other decorators
return. Applied to a **class** it returns a generated subclass with the same name, module and
docstring (``__wrapped__`` is the original, which is left untouched). Applied to an
**instance** it returns the wrapper class of the aspect, a transparent proxy.

Stacking order is execution order for both: the outermost decorator sees a call first and its
result last.

Example:
    >>> from kvdeco import MemoryStore, layers, prefix_keys, with_statistics
    >>> @with_statistics
    ... @prefix_keys("app")
    ... class AppStore(MemoryStore):
    ...     pass
    >>> layers(AppStore())
    [with_statistics(), prefix_keys(prefix='app', separator=':')]
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from kvdeco._chain import Chain, guarded
from kvdeco._proxy import AspectWrapper
from kvdeco.aspect import Aspect
from kvdeco.operations import OPERATIONS, chain_entries, operation_methods
from kvdeco.validation import missing_operations

if TYPE_CHECKING:
    from kvdeco.stacking import Stack

__all__ = ["Decorator", "decorate_class"]

S = TypeVar("S")
W = TypeVar("W", bound=AspectWrapper)

_GENERATED: weakref.WeakKeyDictionary[type, dict[Aspect, type]] = weakref.WeakKeyDictionary()
_RUNTIMES = "_kvdeco_runtimes"
_CHAIN = "_kvdeco_chain_"
"""Prefix of the instance attribute that caches one generated class's chain; never pickled."""
_serial = itertools.count()


@dataclasses.dataclass(frozen=True, slots=True)
class Decorator(Generic[W]):
    """One aspect, ready to apply to a store class or instance.

    Args:
        aspect: The behaviour to add.
        wrapper: The wrapper class used for instances.
    """

    aspect: Aspect
    wrapper: type[W]

    @overload
    def __call__(self, target: type[S]) -> type[S]: ...

    @overload
    def __call__(self, target: S) -> S: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a store class (returns a subclass) or wrap an instance (returns a proxy)."""
        if isinstance(target, type):
            return decorate_class(target, self.aspect.applied_to(target))
        proxy = self.wrapper.__new__(self.wrapper)
        AspectWrapper.__init__(proxy, target, self.aspect)
        return proxy

    def __repr__(self) -> str:
        return repr(self.aspect)

    def __or__(self, other: Any) -> Stack:
        """``outer | inner``: a :class:`~kvdeco.stacking.Stack` of the two, outermost first."""
        from kvdeco.stacking import Stack  # the stack module builds on this one

        return Stack(self, other)

    def _stack_parts(self) -> tuple[Decorator[W]]:
        return (self,)


def decorate_class(cls: type[S], aspect: Aspect) -> type[S]:
    """Return a subclass of the store class ``cls`` whose operations run through ``aspect``.

    The same class and aspect always give the same subclass, so instances pickle. Decorating
    a class that was itself just generated adds the aspect to the same stack: however many
    decorators are stacked, a call makes one :class:`~kvdeco.operations.Call` and runs one
    chain.
    """
    missing = missing_operations(cls)
    if missing:
        raise TypeError(
            f"{cls.__name__} is not a key-value store class: it has no {', '.join(missing)}. "
            "A store with get, put and delete gains the bulk operations as an instance: "
            "kvdeco.adapt(store)"
        )
    by_aspect = _GENERATED.setdefault(cls, {})
    generated = by_aspect.get(aspect)
    if generated is None:
        generated = by_aspect[aspect] = _generate(cls, aspect)
    return generated


def _generate(cls: type[Any], aspect: Aspect) -> type[Any]:
    # Runtimes are kept on the instance under the layer's place in the stack (its aspect and
    # those below it): a key that pickles, and is looked up only when a chain is built.
    layer_key = (aspect, *getattr(cls, "__kvdeco_layer_key__", ()))
    if "__kvdeco_aspect__" in cls.__dict__:
        # Flatten: the new layer joins the stack of the class it decorates, and its methods
        # call the undecorated class underneath that stack directly.
        group = ((aspect, layer_key), *cls.__dict__["__kvdeco_group__"])
        floor = cls.__dict__["__kvdeco_floor__"]
    else:
        group, floor = ((aspect, layer_key),), None
    chain_name = f"{_CHAIN}{next(_serial)}"
    aspects = tuple(layer[0] for layer in group)

    def chain_of(store: Any) -> Chain:
        chain: Chain | None = store.__dict__.get(chain_name)
        if chain is None:
            parent = super(floor or generated, store)
            runtimes = [_runtime_of(store, a, key) for a, key in group]
            chain = Chain(aspects, runtimes, lambda call: call.op.invoke(parent, call))
            store.__dict__[chain_name] = chain
            if shortcut:
                _enter_directly(store, generated, chain)
        return chain

    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "__wrapped__": cls,
        "__kvdeco_aspect__": aspect,
        "__kvdeco_layer_key__": layer_key,
        "__kvdeco_group__": group,
        "__reduce_ex__": _reduce_decorated,
    }
    store_class = floor.__wrapped__ if floor is not None else cls
    methods = operation_methods(chain_of, chain_name, guarded)
    for name, method in methods.items():
        if getattr(cls, name, None) is None:
            continue  # an optional capability the store does not have
        if not any(a.operations is None or name in a.operations for a in aspects):
            continue  # no layer of the stack handles it: the class's own method serves it
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        method.__doc__ = getattr(cls, name).__doc__
        namespace[name] = method
    # Methods of kvdeco's own stores never call their store's operations, so when every
    # operation of the stack is one, nothing can re-enter it and its calls need no guard.
    shortcut = all(_self_contained(store_class, name) for name in namespace if name in OPERATIONS)
    for name in aspect.exposed:
        namespace[name] = property(_exposed_getter(aspect, layer_key, name))
    metaclass: Any = _shown_with_layers(type(cls))
    generated: type[Any] = metaclass(cls.__name__, (cls,), namespace)
    generated.__kvdeco_floor__ = floor or generated
    return generated


_ENTRIES: weakref.WeakSet[Any] = weakref.WeakSet()
"""The chain entries set on instances by :func:`_enter_directly` (never pickled)."""


def _enter_directly(store: Any, generated: type[Any], chain: Chain) -> None:
    """Give ``store`` the chain's entries as its own operations, found before the class's.

    A call then starts the chain at once, as through a proxy: no method of the class runs.
    An operation that a subclass of ``generated`` overrides keeps the subclass's method.
    """
    for name, entry in chain_entries(chain.entries).items():
        if name in generated.__dict__ and getattr(type(store), name) is generated.__dict__[name]:
            _ENTRIES.add(entry)
            store.__dict__[name] = entry


_SELF_CONTAINED_MODULES = frozenset(
    {"kvdeco.stores.memory", "kvdeco.stores.disk", "kvdeco.stores.redis"}
)
"""Modules whose store methods never call their own store's operations (a test checks it)."""


def _self_contained(cls: type[Any], name: str) -> bool:
    """Whether ``cls``'s method ``name`` is one of kvdeco's own, which never re-enter."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__module__ in _SELF_CONTAINED_MODULES
    return False


_METACLASSES: dict[type, type] = {}


def _shown_with_layers(metaclass: type) -> type:
    """The metaclass of generated classes: the store's own, with a repr that shows the layers.

    A generated class keeps its store's name, so without this a stack of four would print the
    same ``<class 'app.MyStore'>`` four times in its ``__mro__``.
    """
    if issubclass(metaclass, _ShowsLayers):
        return metaclass
    found = _METACLASSES.get(metaclass)
    if found is None:
        name = metaclass.__name__
        make: Any = type(metaclass)
        found = _METACLASSES[metaclass] = make(
            f"Layered{name[:1].upper()}{name[1:]}", (_ShowsLayers, metaclass), {}
        )
    return found


class _ShowsLayers(type):
    def __repr__(cls) -> str:
        shown = ", ".join(repr(aspect) for aspect, _ in cls.__dict__["__kvdeco_group__"])
        return f"<class '{cls.__module__}.{cls.__qualname__}' with {shown}>"


def _runtime_of(store: Any, aspect: Aspect, key: tuple[Aspect, ...]) -> Any:
    """The runtime ``aspect`` bound for ``store`` at its place ``key`` in the stack."""
    if type(aspect).bind is Aspect.bind:
        return aspect
    runtimes = store.__dict__.get(_RUNTIMES)
    if runtimes is None:
        runtimes = store.__dict__[_RUNTIMES] = {}
    runtime = runtimes.get(key)
    if runtime is None:
        runtime = runtimes[key] = aspect.bind()
    return runtime


def _exposed_getter(aspect: Aspect, key: tuple[Aspect, ...], name: str) -> Callable[[Any], Any]:
    def getter(store: Any) -> Any:
        return getattr(_runtime_of(store, aspect, key), name)

    return getter


def _reduce_decorated(store: Any, protocol: int) -> tuple[Any, ...]:
    # Pickle by (the outermost class reachable by its name, the aspects above it). A class
    # decorated where it is defined (``@with_retry class Fast(MemoryStore)``) is reachable
    # itself, and its undecorated base is not (the name now means the decorated class); a
    # generated class (``Fast = with_retry()(MemoryStore)``) is not, and its base is.
    cls, aspects = type(store), []
    while "__kvdeco_aspect__" in cls.__dict__ and not _reachable(cls):
        aspects.append(cls.__dict__["__kvdeco_aspect__"])
        cls = cls.__wrapped__
    state = store.__getstate__() if hasattr(store, "__getstate__") else store.__dict__
    if isinstance(state, dict):
        # A chain holds functions: it is rebuilt on first use, not pickled.
        state = {
            name: value
            for name, value in state.items()
            if not name.startswith(_CHAIN) and not (name in OPERATIONS and value in _ENTRIES)
        }
    return (_new_decorated, (cls, tuple(reversed(aspects))), state)


def _reachable(cls: type[Any]) -> bool:
    """Whether pickle finds ``cls`` itself under its module and qualified name."""
    found: Any = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is cls


def _new_decorated(cls: type[Any], aspects: tuple[Aspect, ...]) -> Any:
    for aspect in aspects:
        cls = decorate_class(cls, aspect)
    new: Any = cls.__new__
    return new(cls)
