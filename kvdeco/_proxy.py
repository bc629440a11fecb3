"""The proxy core: what every wrapper instance is built on (private; see kvdeco.wrappers.base)."""

from __future__ import annotations

import copy
import functools
import inspect
import operator
import types
from typing import TYPE_CHECKING, Any, SupportsIndex

import wrapt

from kvdeco._chain import Chain, handles
from kvdeco.aspect import Aspect
from kvdeco.operations import (
    OPERATIONS,
    Operation,
    chain_entries,
    forwarding_methods,
)
from kvdeco.validation import check_store

__all__ = ["AspectWrapper", "BaseWrapper"]


if TYPE_CHECKING:
    from kvdeco.protocols import AsyncKeyValue

    _Proxy = wrapt.BaseObjectProxy[Any]
else:
    _Proxy = wrapt.BaseObjectProxy


class BaseWrapper(_Proxy):
    """A proxy that passes every operation to the wrapped store.

    Either give the store to the constructor, or, as the specification's example does, set
    ``self.key_value`` before calling ``super().__init__()``::

        class Shouting(BaseWrapper):
            def __init__(self, key_value):
                self.key_value = key_value
                super().__init__()

            async def get(self, key, *, collection=None):
                value = await self.key_value.get(key=key, collection=collection)
                return {k: str(v).upper() for k, v in value.items()} if value else value

    Args:
        key_value: The store to wrap. May be omitted if ``self.key_value`` was set first.
    """

    __module__ = "kvdeco"  # where users import it from; this module is private

    # wrapt's proxy defines ``__getattr__``, so on a subclass Python would read every
    # attribute through a slow hook that calls wrapt's ``__getattribute__`` as a method. That
    # method does what the generic lookup does (then falls back to ``__getattr__``, as the hook
    # does itself), so naming the generic one lets the hook take its fast path: 40 ns instead
    # of 120 ns per attribute read on a proxy.
    __getattribute__ = object.__getattribute__

    def __init__(self, key_value: Any = None) -> None:
        if key_value is not None:
            super().__init__(key_value)
            return
        try:
            self.__wrapped__  # noqa: B018 - set through ``self.key_value`` already?
        except (AttributeError, ValueError):
            raise TypeError(
                f"{type(self).__name__} needs a store to wrap (key_value=...)"
            ) from None

    @property
    def key_value(self) -> AsyncKeyValue:
        """The wrapped store (the specification's name for ``__wrapped__``)."""
        return self.__wrapped__  # type: ignore[no-any-return]

    @key_value.setter
    def key_value(self, store: Any) -> None:
        wrapt.BaseObjectProxy.__init__(self, store)

    if TYPE_CHECKING:
        # What a type checker sees: the protocol's own signatures. At run time each is a
        # method generated from them (below) that calls the wrapped store's.
        get = AsyncKeyValue.get
        ttl = AsyncKeyValue.ttl
        put = AsyncKeyValue.put
        delete = AsyncKeyValue.delete
        get_many = AsyncKeyValue.get_many
        ttl_many = AsyncKeyValue.ttl_many
        put_many = AsyncKeyValue.put_many
        delete_many = AsyncKeyValue.delete_many

    async def __aenter__(self) -> Any:
        enter = getattr(self.__wrapped__, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        exit_ = getattr(self.__wrapped__, "__aexit__", None)
        if exit_ is not None:
            await exit_(*exc_info)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__wrapped__, self._self_state()))

    def __copy__(self) -> Any:
        rebuild, args = self.__reduce_ex__(4)
        return rebuild(*args)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        rebuild, args = self.__reduce_ex__(4)
        return rebuild(*copy.deepcopy(args, memo))

    def __setattr__(self, name: str, value: Any) -> None:
        # wrapt keeps ``_self_`` attributes on the proxy but offers no public way to list
        # them; copying and pickling need that list, so it is kept here.
        if name.startswith("_self_") and name != "_self_state_names":
            try:
                names = object.__getattribute__(self, "_self_state_names")
            except AttributeError:
                names = set()
                super().__setattr__("_self_state_names", names)
            names.add(name)
        super().__setattr__(name, value)

    def _self_state(self) -> dict[str, Any]:
        try:
            names = object.__getattribute__(self, "_self_state_names")
        except AttributeError:
            return {}
        return {name: object.__getattribute__(self, name) for name in sorted(names)}


def _rebuild(cls: type[BaseWrapper], wrapped: Any, state: dict[str, Any]) -> BaseWrapper:
    proxy = cls.__new__(cls)
    wrapt.BaseObjectProxy.__init__(proxy, wrapped)
    for name, value in state.items():
        setattr(proxy, name, value)
    return proxy


def _chain_below(store: Any) -> Chain | None:
    """The chain of ``store`` when it is one of our plain proxies, to extend rather than call."""
    cls = type(store)
    if not issubclass(cls, AspectWrapper):
        return None
    # A subclass that overrides an operation must be called through it, not around it.
    overridden = any(getattr(cls, name) is not getattr(AspectWrapper, name) for name in OPERATIONS)
    if overridden or cls.__dict__.get("__aenter__") is not None:
        return None
    chain: Chain = store._self_chain
    return chain


def _link(proxy: AspectWrapper, runtime: Any) -> None:
    """Build the proxy's chain for ``runtime`` and point each operation at its way in.

    A stack of plain proxies is one chain: the outermost proxy's chain holds every layer
    below it, so a call makes one :class:`~kvdeco.operations.Call` however deep the stack.
    ``proxy.get`` is ``proxy._self_via_get.get``, found by a C-level attribute getter: for an
    operation this layer handles, the chain's entry (a plain function, called directly); for
    one it leaves alone (its ``operations`` names those it handles) or one the store lacks,
    the wrapped store, whose own method is then looked up at each call, as a direct call
    would, or is missing, as on the store.
    """
    store = proxy.__wrapped__
    below = _chain_below(store)
    if below is None:
        chain = Chain((proxy._self_aspect,), (runtime,), lambda call: call.op.invoke(store, call))
    else:
        chain = Chain(
            (proxy._self_aspect, *below.aspects), (runtime, *below.runtimes), below.terminal
        )
    proxy._self_chain = chain
    proxy._self_entries = types.SimpleNamespace(**chain_entries(chain.entries))
    for name in OPERATIONS:
        _route(proxy, name)


def _route(proxy: AspectWrapper, name: str) -> None:
    """Point the proxy's operation ``name`` at the chain, or at the store when it is not ours
    to handle (the layer leaves it alone, or the store has no such operation)."""
    store = proxy.__wrapped__
    direct = not handles(proxy._self_runtime, name) or getattr(store, name, None) is None
    setattr(proxy, "_self_via_" + name, store if direct else proxy._self_entries)


def _replace_operation(proxy: AspectWrapper, method: Any, *, name: str) -> None:
    # ``proxy.get = ...`` (a test patching it): the proxy's get is then that, until deleted.
    setattr(proxy, "_self_via_" + name, types.SimpleNamespace(**{name: method}))


class AspectWrapper(BaseWrapper):
    """A proxy that runs every operation through one aspect.

    Args:
        key_value: The store to wrap.
        aspect: The behaviour to add.
    """

    __module__ = "kvdeco"

    def __init__(self, key_value: Any, aspect: Aspect) -> None:
        if not isinstance(aspect, Aspect):
            raise TypeError(f"aspect must be an Aspect, not {type(aspect).__name__}")
        check_store(key_value, type(self).__name__)
        BaseWrapper.__init__(self, key_value)
        aspect = aspect.applied_to(key_value)
        self._self_aspect = aspect
        # What runs this wrapper's calls: the aspect, or the state it bound for this store.
        self._self_runtime = aspect.bind()
        _link(self, self._self_runtime)

    def __init_subclass__(cls, exposes: type[Aspect] | None = None, **options: Any) -> None:
        """Give a wrapper class its aspect's ``exposed`` names as real attributes.

        ``class StatisticsWrapper(AspectWrapper, exposes=Statistics)`` makes
        ``get_statistics`` an attribute of the class, so a subclass can override it and call
        ``super().get_statistics()``. Without ``exposes`` the names are still found on each
        instance (see ``__getattr__``).
        """
        super().__init_subclass__(**options)
        for name in exposes.exposed if exposes is not None else ():
            if name not in cls.__dict__:
                setattr(cls, name, property(operator.attrgetter(f"_self_runtime.{name}")))

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: the aspect's ``exposed`` names (such as
        # ``get_statistics``) come from its runtime, everything else from the wrapped store.
        # A private name is never an exposed one, and is not looked up here (no recursion
        # while ``_self_aspect`` is not set yet).
        if not name.startswith("_") and name in self._self_aspect.exposed:
            return getattr(self._self_runtime, name)
        return super().__getattr__(name)

    @property
    def aspect(self) -> Aspect:
        """The aspect this wrapper adds."""
        return self._self_aspect

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._self_aspect!r} of {self.__wrapped__!r}>"

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (
            _rebuild_aspect_wrapper,
            (type(self), self.__wrapped__, self._self_aspect, self._self_runtime),
        )


def _rebuild_aspect_wrapper(
    cls: type[AspectWrapper], wrapped: Any, aspect: Aspect, runtime: Any
) -> AspectWrapper:
    proxy = cls.__new__(cls)
    BaseWrapper.__init__(proxy, wrapped)
    proxy._self_aspect = aspect  # already applied to its store when it was first made
    proxy._self_runtime = runtime
    _link(proxy, runtime)
    return proxy


class _Forwarding(property):
    """An operation of an aspect's proxy: ``proxy._self_via_<name>.<name>``, read in C.

    Reading ``proxy.get`` runs no Python frame of ours: the attribute is the chain's entry or
    the store's own method, and calling it calls that directly. Setting it (as a test patches
    a method) replaces it on this proxy until it is deleted. On the class it still reads as
    the method it stands for: it has the protocol's signature and docstring, and
    ``Wrapper.get(proxy, key)`` works as an unbound method call would.
    """

    def __init__(self, operation: Operation) -> None:
        name = operation.name
        super().__init__(
            operator.attrgetter(f"_self_via_{name}.{name}"),
            functools.partial(_replace_operation, name=name),
            functools.partial(_route, name=name),
        )
        if operation.declaration is not None:
            # Set here: a property subclass would otherwise show its own class docstring.
            self.__doc__ = operation.declaration.__doc__
            self.__signature__ = inspect.signature(operation.declaration)

    def __call__(self, proxy: Any, /, *args: Any, **kwargs: Any) -> Any:
        return self.__get__(proxy)(*args, **kwargs)


for _name, _method in forwarding_methods().items():
    if not OPERATIONS[_name].capability:  # a capability the store lacks stays missing
        _method.__qualname__ = f"BaseWrapper.{_name}"
        setattr(BaseWrapper, _name, _method)
for _op in OPERATIONS.values():
    setattr(AspectWrapper, _op.name, _Forwarding(_op))
