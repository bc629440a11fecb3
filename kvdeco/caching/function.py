"""``cached``: keep an ``async def`` function's results in any kvdeco store or stack.

One call of a cached function:

1. binds its arguments and builds the key (:mod:`kvdeco.caching.keys`);
2. joins the call already running for that key in this process, if there is one
   (single-flight: a thousand concurrent calls read the store once and run the function once);
3. otherwise reads the store: a fresh entry is returned; a stale one (past ``ttl`` but within
   ``stale_ttl``) is returned while one background call recomputes it; a miss runs the
   function;
4. returns the result at once and writes it back in the background, so a store that is slow or
   down costs a call its read and nothing more. Until the write has landed, later calls for the
   same key in this process are answered from the finished call.

A store that fails never fails the call: the function runs, the error is logged (its type and
the function, never a value) and counted in :attr:`CachedFunction.statistics`. Pass
``raise_on_cache_error=True`` to have store errors raised instead.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import inspect
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast, overload

from kvdeco._events import log_event
from kvdeco.caching.keys import KeyBuilder, function_name
from kvdeco.caching.results import ResultCodec

__all__ = ["CacheStatistics", "CachedFunction", "cached"]

P = ParamSpec("P")
R = TypeVar("R")
P2 = ParamSpec("P2")
T = TypeVar("T")


@dataclasses.dataclass
class CacheStatistics:
    """What a cached function counted since it was decorated (or :meth:`reset`).

    Attributes:
        hits: Calls answered by a fresh stored entry.
        stale_hits: Calls answered by a stale entry while it was recomputed.
        misses: Calls that ran the function (no usable entry, or the store failed).
        joined: Calls that shared a call already running for the same key.
        writes: Results written to the store.
        errors: Store reads and writes that failed (logged, not raised).
        refresh_errors: Background recomputations that raised (logged, not raised).
    """

    hits: int = 0
    stale_hits: int = 0
    misses: int = 0
    joined: int = 0
    writes: int = 0
    errors: int = 0
    refresh_errors: int = 0

    @property
    def hit_rate(self) -> float:
        """The share of store lookups answered from the store (fresh or stale); 0.0 before any."""
        answered = self.hits + self.stale_hits
        total = answered + self.misses
        return answered / total if total else 0.0

    def reset(self) -> None:
        """Set every count back to zero."""
        for field in dataclasses.fields(self):
            setattr(self, field.name, 0)


class _Flight:
    """One running call for one key: its answer, and whether its result may still be stored."""

    __slots__ = ("answer", "current", "task", "waiters")

    def __init__(self) -> None:
        self.answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None
        self.waiters = 0
        # False once invalidate() or refresh() ran for the key: a result computed from what
        # was there before must not be written over what came after.
        self.current = True


def _seconds(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, not {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number of seconds greater than 0, not {value}")
    return float(value)


def _mark_as_coroutine_function(target: Any, function: Callable[..., Any]) -> None:
    """Make ``inspect``/``asyncio.iscoroutinefunction(target)`` true, as for ``function``.

    Frameworks (web routers, task runners) decide by those checks whether to await a callable,
    and an object with an ``async def __call__`` does not pass them on its own.
    """
    mark = getattr(inspect, "markcoroutinefunction", None)
    if mark is not None:  # Python 3.12 and later
        mark(target)
        return
    # Python 3.10 and 3.11: inspect treats an object with a function's code attributes as a
    # function, and asyncio looks for its own marker.
    target.__code__ = function.__code__
    target.__defaults__ = getattr(function, "__defaults__", None)
    target.__kwdefaults__ = getattr(function, "__kwdefaults__", None)
    target._is_coroutine = getattr(asyncio.coroutines, "_is_coroutine", None)


def _log_failure(event: str, **fields: Any) -> None:
    log_event("kvdeco.cached", logging.WARNING, event, **fields)


class CachedFunction(Generic[P, R]):
    """An ``async def`` function whose results are kept in a store. Made by :func:`cached`.

    Calling it returns what the function returns. It keeps the function's name, docstring and
    signature (``inspect.signature`` and ``help`` show the original), and works as a method:
    ``self``/``cls`` are left out of the key.
    """

    def __init__(
        self,
        function: Callable[P, Awaitable[R]],
        store: Any,
        *,
        ttl: float | None,
        collection: str | None,
        key: str | Callable[..., str] | None,
        condition: Callable[[Any], bool] | None,
        negative_ttl: float | None,
        stale_ttl: float | None,
        single_flight: bool,
        raise_on_cache_error: bool,
        encode: Callable[[Any], Any] | None,
        decode: Callable[[Any], Any] | None,
        clock: Callable[[], float],
    ) -> None:
        functools.update_wrapper(self, function)
        _mark_as_coroutine_function(self, function)
        signature = inspect.signature(function)
        # What each bound method carries (its name, docstring, signature without its first
        # parameter, coroutine marks), worked out once: a method is bound at every call.
        bound = _Attributes()
        functools.update_wrapper(cast(Callable[..., Any], bound), function)
        bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
        _mark_as_coroutine_function(bound, function)
        self._bound_attributes = dict(vars(bound))
        self._function = function
        self._store = store
        self._ttl = ttl
        self._collection = collection
        self._condition = condition
        self._negative_ttl = negative_ttl
        self._stale_ttl = stale_ttl
        self._single_flight = single_flight
        self._raise = raise_on_cache_error
        self._clock = clock
        self._name = function_name(function)
        self._keys = KeyBuilder(function, key)
        returns = inspect.signature(function).return_annotation
        if isinstance(returns, str):
            returns = _resolved_return(function)
        self._codec = ResultCodec(self._name, encode, decode, returns)
        self._flights: dict[str, _Flight] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._refreshing: dict[str, _Flight] = {}
        self.statistics = CacheStatistics()
        """Counts of hits, misses, joined calls, writes and absorbed errors."""

    @property
    def store(self) -> Any:
        """The store (or stack) the results are kept in."""
        return self._store

    def __repr__(self) -> str:
        return f"<cached {self._name} in {type(self._store).__name__}>"

    # -- descriptor: a cached method binds like the function it replaces ------------------

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> CachedFunction[P, R]: ...

    @overload
    def __get__(
        self: CachedFunction[Concatenate[T, P2], R], instance: T, owner: type[Any]
    ) -> BoundCachedFunction[P2, R]: ...

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        return BoundCachedFunction(self, instance)

    # -- the public operations --------------------------------------------------------------

    def key_for(self, *args: P.args, **kwargs: P.kwargs) -> str:
        """Return the store key of a call with these arguments.

        Raises:
            TypeError: the arguments do not fit the function, or one has no stable encoding.
        """
        return self._keys.build(self._keys.bind(args, kwargs))

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = self.key_for(*args, **kwargs)
        flight = self._flights.get(key) if self._single_flight else None
        if flight is not None:
            self.statistics.joined += 1
            # Each caller gets its own copy, as each would from a call of its own.
            return copy.deepcopy(await self._wait(flight))  # type: ignore[no-any-return]
        flight = self._start(key, lambda flight: self._lookup(key, flight, args, kwargs))
        return await self._wait(flight)  # type: ignore[no-any-return]

    async def invalidate(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        """Delete the stored result of a call with these arguments; return whether one was there.

        A call for these arguments that is still running will not store its result.
        """
        key = self.key_for(*args, **kwargs)
        self._forget_flight(key)
        return bool(await self._store.delete(key, collection=self._collection))

    async def refresh(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the function now, store its result (as a cached call would) and return it."""
        key = self.key_for(*args, **kwargs)
        self._forget_flight(key)
        flight = self._start(key, lambda flight: self._compute(key, flight, args, kwargs))
        return await self._wait(flight)  # type: ignore[no-any-return]

    async def wait_pending(self) -> None:
        """Wait until every background write and recomputation started so far has finished.

        Call it before closing the store, so no result that was computed is lost.
        """
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    # -- flights ------------------------------------------------------------------------------

    def _start(self, key: str, work: Callable[[_Flight], Awaitable[None]]) -> _Flight:
        flight = _Flight()
        if self._single_flight:
            self._flights[key] = flight
        flight.task = asyncio.ensure_future(self._fly(key, flight, work))
        self._track(flight.task)
        return flight

    async def _fly(
        self, key: str, flight: _Flight, work: Callable[[_Flight], Awaitable[None]]
    ) -> None:
        try:
            await work(flight)
        except BaseException as error:  # the callers get it, whatever it is
            if not flight.answer.done():
                if isinstance(error, asyncio.CancelledError):
                    flight.answer.cancel()
                else:
                    flight.answer.set_exception(error)
                    flight.answer.exception()  # retrieved: every caller may have given up
            if not isinstance(error, Exception):
                raise
        finally:
            if self._flights.get(key) is flight:
                del self._flights[key]

    async def _wait(self, flight: _Flight) -> Any:
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.answer)
        except asyncio.CancelledError:
            # The last caller gave up: nobody wants the result, stop computing it.
            if flight.waiters == 1 and not flight.answer.done() and flight.task is not None:
                flight.task.cancel()
            raise
        finally:
            flight.waiters -= 1

    def _forget_flight(self, key: str) -> None:
        for flight in (self._flights.pop(key, None), self._refreshing.get(key)):
            if flight is not None:
                flight.current = False

    def _track(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- what a flight does -------------------------------------------------------------------

    async def _lookup(
        self, key: str, flight: _Flight, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        try:
            entry = await self._store.get(key, collection=self._collection)
            found, result, fresh_until = self._codec.read(entry)
        except Exception as error:
            self._absorb(error, "get")
            found, result, fresh_until = False, None, None
        if not found:
            self.statistics.misses += 1
            await self._compute(key, flight, args, kwargs)
            return
        if fresh_until is None or self._clock() < fresh_until:
            self.statistics.hits += 1
        else:
            self.statistics.stale_hits += 1
            self._refresh_in_background(key, args, kwargs)
        flight.answer.set_result(result)

    async def _compute(
        self, key: str, flight: _Flight, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        result = await self._function(*args, **kwargs)
        entry, ttl = self._entry_for(result)
        if entry is not None and self._raise:
            await self._write(key, entry, ttl, flight)  # its error is the caller's
        flight.answer.set_result(result)
        if entry is not None and not self._raise:
            # The caller has its answer; later callers join this flight until the write lands.
            await self._write(key, entry, ttl, flight)

    def _entry_for(self, result: Any) -> tuple[dict[str, Any] | None, float | None]:
        """The entry to store for ``result`` and its TTL, or ``(None, None)`` to store nothing."""
        if result is None and self._negative_ttl is None:
            return None, None
        if self._condition is not None and not self._condition(result):
            return None, None
        if result is None:
            return self._codec.entry(None, None), self._negative_ttl
        if self._stale_ttl is None or self._ttl is None:
            return self._codec.entry(result, None), self._ttl
        fresh_until = self._clock() + self._ttl
        return self._codec.entry(result, fresh_until), self._ttl + self._stale_ttl

    async def _write(
        self, key: str, entry: dict[str, Any], ttl: float | None, flight: _Flight
    ) -> None:
        if not flight.current:
            return
        try:
            await self._store.put(key, entry, collection=self._collection, ttl=ttl)
        except Exception as error:
            self._absorb(error, "put")
            return
        self.statistics.writes += 1

    def _absorb(self, error: Exception, operation: str) -> None:
        if self._raise:
            raise error
        self.statistics.errors += 1
        _log_failure(
            "cache_error", function=self._name, operation=operation, error=type(error).__name__
        )

    def _refresh_in_background(
        self, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        if key in self._refreshing:
            return  # one recomputation per key at a time
        flight = self._refreshing[key] = _Flight()

        async def refresh() -> None:
            try:
                await self._compute(key, flight, args, kwargs)
            except Exception as error:
                self.statistics.refresh_errors += 1
                _log_failure("cache_refresh_error", function=self._name, error=type(error).__name__)
            finally:
                if self._refreshing.get(key) is flight:
                    del self._refreshing[key]

        self._track(asyncio.ensure_future(refresh()))


class _Attributes:
    """Holds the attributes that a bound cached method copies on each binding."""

    __signature__: inspect.Signature


class BoundCachedFunction(Generic[P, R]):
    """A cached method looked up on an instance: calls pass the instance first."""

    def __init__(self, cached: CachedFunction[Any, R], instance: object) -> None:
        self._cached = cached
        self._instance = instance
        self.__dict__.update(cached._bound_attributes)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
        return self._cached(self._instance, *args, **kwargs)

    def key_for(self, *args: P.args, **kwargs: P.kwargs) -> str:
        """Return the store key of a call with these arguments."""
        return self._cached.key_for(self._instance, *args, **kwargs)

    def invalidate(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, bool]:
        """Delete the stored result of a call with these arguments."""
        return self._cached.invalidate(self._instance, *args, **kwargs)

    def refresh(self, *args: P.args, **kwargs: P.kwargs) -> Coroutine[Any, Any, R]:
        """Run the method now, store its result and return it."""
        return self._cached.refresh(self._instance, *args, **kwargs)

    @property
    def store(self) -> Any:
        """The store (or stack) the results are kept in."""
        return self._cached.store

    @property
    def statistics(self) -> CacheStatistics:
        """The counts of the cached method (shared by all instances)."""
        return self._cached.statistics

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cached, name)


def _resolved_return(function: Callable[..., Any]) -> Any:
    try:
        import typing

        return typing.get_type_hints(function).get("return")
    except Exception:  # an annotation that does not resolve: no model to validate with
        return None


def cached(
    store: Any,
    *,
    ttl: float | None = None,
    collection: str | None = None,
    key: str | Callable[..., str] | None = None,
    condition: Callable[[Any], bool] | None = None,
    negative_ttl: float | None = None,
    stale_ttl: float | None = None,
    single_flight: bool = True,
    raise_on_cache_error: bool = False,
    encode: Callable[[Any], Any] | None = None,
    decode: Callable[[Any], Any] | None = None,
    clock: Callable[[], float] = time.time,
) -> Callable[[Callable[P, Awaitable[R]]], CachedFunction[P, R]]:
    """Cache an ``async def`` function's results in ``store``, any kvdeco store or stack.

    Args:
        store: Where results are kept: a store, a wrapped store, a decorated store class's
            instance, or any store with py-key-value's ``get``/``put``/``delete``.
        ttl: Seconds a result stays fresh; ``None`` keeps it until it is deleted or evicted.
        collection: The store collection to use; ``None`` for the store's default.
        key: How a call is named in the store, after the function's module and qualified name:
            ``None`` for all its bound arguments (``self``/``cls`` excluded), a template
            (``"user:{user_id}"``) formatted with the arguments by name, or a callable taking
            the function's arguments and returning a string.
        condition: Called with each result; the result is stored only if it returns true.
        negative_ttl: Also store ``None`` results, for this many seconds (a miss remembered).
            Without it a ``None`` result is never stored.
        stale_ttl: After ``ttl`` has passed, keep answering with the old result for up to this
            many seconds while one background call recomputes it. Needs ``ttl``.
        single_flight: Concurrent calls with the same key in this process share one store read
            and one run of the function.
        raise_on_cache_error: Raise store errors instead of logging them and running the
            function without the cache.
        encode: Turns a result into a JSON value (for results JSON would not give back
            unchanged); goes with ``decode``.
        decode: Turns the stored JSON value back into a result.
        clock: The wall clock that freshness is measured with (seconds since the epoch, so
            processes agree); replace it in tests.

    Returns:
        A decorator for ``async def`` functions and methods.

    Raises:
        TypeError: an argument has the wrong type, or the decorated function is not
            ``async def``.
        ValueError: a TTL is not a finite number of seconds greater than zero.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore, cached
        >>> store = MemoryStore()
        >>> @cached(store, ttl=60)
        ... async def profile(user_id: int) -> dict:
        ...     return {"id": user_id, "name": "Ada"}
        >>> asyncio.run(profile(1))
        {'id': 1, 'name': 'Ada'}
        >>> profile.key_for(1)
        '__main__.profile:[["user_id",["int",1]]]'
    """
    missing = [
        name for name in ("get", "put", "delete") if not callable(getattr(store, name, None))
    ]
    if missing:
        raise TypeError(
            f"store must be a key-value store; {type(store).__name__} has no {', '.join(missing)}"
        )
    seconds = _seconds(ttl, "ttl")
    negative = _seconds(negative_ttl, "negative_ttl")
    stale = _seconds(stale_ttl, "stale_ttl")
    if stale is not None and seconds is None:
        raise ValueError("stale_ttl needs a ttl: an entry can only go stale once it has one")
    if collection is not None and not isinstance(collection, str):
        raise TypeError(f"collection must be a str or None, not {type(collection).__name__}")
    if condition is not None and not callable(condition):
        raise TypeError(f"condition must be callable, not {condition!r}")
    for name, flag in (
        ("single_flight", single_flight),
        ("raise_on_cache_error", raise_on_cache_error),
    ):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, not {type(flag).__name__}")
    if not callable(clock):
        raise TypeError(f"clock must be callable, not {clock!r}")

    def decorate(function: Callable[P, Awaitable[R]]) -> CachedFunction[P, R]:
        if not inspect.iscoroutinefunction(function):
            raise TypeError(f"cached() decorates async def functions; {function!r} is not one")
        return CachedFunction(
            function,
            store,
            ttl=seconds,
            collection=collection,
            key=key,
            condition=condition,
            negative_ttl=negative,
            stale_ttl=stale,
            single_flight=single_flight,
            raise_on_cache_error=raise_on_cache_error,
            encode=encode,
            decode=decode,
            clock=clock,
        )

    return decorate
