"""Count operations, hits and misses, per collection and in total.

Counts are exact under concurrent tasks (nothing awaits between reading and writing a
counter) and bulk operations count once per key: a ``get_many`` of three keys is three gets.
``get_statistics()`` gives the specification's view (``stats.get.hits``, ``hit_rate()``);
``.statistics.collections[name].get.hit`` gives py-key-value's.
"""

from __future__ import annotations

import dataclasses
from time import perf_counter
from typing import TYPE_CHECKING, Any, ClassVar

from kvdeco._factory import DecoratorFactory
from kvdeco.aspect import Aspect
from kvdeco.operations import Call, Kind, Proceed
from kvdeco.validation import DEFAULT_COLLECTION
from kvdeco.wrappers._latency import LatencyHistogram
from kvdeco.wrappers.base import AspectWrapper

__all__ = [
    "CollectionStatistics",
    "OperationStatistics",
    "Statistics",
    "StatisticsRecorder",
    "StatisticsWrapper",
    "StoreStatistics",
    "with_statistics",
]


@dataclasses.dataclass
class OperationStatistics:
    """Counts for one kind of operation.

    Attributes:
        count: Keys the operation completed for.
        hits: Reads that found a value; deletes that deleted one.
        misses: Reads that found nothing; deletes of absent keys.
        errors: Keys whose call raised.
        latency: How long the calls took (one duration per call, a bulk call included),
            successful or not: count, total, max, mean and p50/p95/p99 in seconds.
    """

    count: int = 0
    hits: int = 0
    misses: int = 0
    errors: int = 0
    latency: LatencyHistogram = dataclasses.field(default_factory=LatencyHistogram, compare=False)

    @property
    def hit(self) -> int:
        """py-key-value's name for :attr:`hits`."""
        return self.hits

    @property
    def miss(self) -> int:
        """py-key-value's name for :attr:`misses`."""
        return self.misses

    def hit_rate(self) -> float:
        """Hits as a share of hits and misses; ``0.0`` before any."""
        seen = self.hits + self.misses
        return self.hits / seen if seen else 0.0

    def _add(self, other: OperationStatistics) -> None:
        self.count += other.count
        self.hits += other.hits
        self.misses += other.misses
        self.errors += other.errors
        self.latency.merge(other.latency)


@dataclasses.dataclass
class CollectionStatistics:
    """Counts per operation for one collection, or for all of them."""

    get: OperationStatistics = dataclasses.field(default_factory=OperationStatistics)
    ttl: OperationStatistics = dataclasses.field(default_factory=OperationStatistics)
    put: OperationStatistics = dataclasses.field(default_factory=OperationStatistics)
    delete: OperationStatistics = dataclasses.field(default_factory=OperationStatistics)

    @property
    def count(self) -> int:
        """Keys completed by every operation together."""
        return self.get.count + self.ttl.count + self.put.count + self.delete.count


@dataclasses.dataclass
class StoreStatistics:
    """Live counts by collection (py-key-value's ``.statistics`` shape)."""

    collections: dict[str, CollectionStatistics] = dataclasses.field(default_factory=dict)

    def get_collection(self, collection: str) -> CollectionStatistics:
        """The counts of ``collection``, created empty on first use."""
        stats = self.collections.get(collection)
        if stats is None:
            stats = self.collections[collection] = CollectionStatistics()
        return stats


_FIELD = {
    "get": "get",
    "get_many": "get",
    "ttl": "ttl",
    "ttl_many": "ttl",
    "put": "put",
    "put_many": "put",
    "delete": "delete",
    "delete_many": "delete",
}


_READ, _DELETE = Kind.READ, Kind.DELETE  # read once: an enum member lookup costs ~70 ns


class StatisticsRecorder:
    """The per-store state of :class:`Statistics`: counts it as calls complete."""

    def __init__(self) -> None:
        self.statistics = StoreStatistics()

    async def around(self, call: Call, proceed: Proceed) -> Any:
        op = call.op
        if op.capability:
            return await proceed(call)
        name = call.collection or DEFAULT_COLLECTION
        per_collection = self.statistics.collections.get(name)
        if per_collection is None:
            per_collection = self.statistics.get_collection(name)
        stats: OperationStatistics = getattr(per_collection, _FIELD[op.name])
        start = perf_counter()
        try:
            result = await proceed(call)
        except BaseException:
            stats.latency.record(perf_counter() - start)
            stats.errors += len(call.keys)
            raise
        stats.latency.record(perf_counter() - start)
        kind = op.kind
        if kind is _READ and not op.many and not op.with_ttl:  # a get: the hot path
            stats.count += 1
            if result is None:
                stats.misses += 1
            else:
                stats.hits += 1
            return result
        stats.count += len(call.keys)
        if kind is _READ:
            if not op.many:
                found = (result[0] if op.with_ttl else result) is not None
                stats.hits += found
                stats.misses += not found
            else:
                hits = sum(1 for item in result if (item[0] if op.with_ttl else item) is not None)
                stats.hits += hits
                stats.misses += len(result) - hits
        elif kind is _DELETE:
            deleted = int(result) if op.many else int(bool(result))
            stats.hits += deleted
            stats.misses += len(call.keys) - deleted
        return result

    def get_statistics(self, collection: str | None = None) -> CollectionStatistics:
        """A snapshot of the counts of one collection, or of all collections together."""
        total = CollectionStatistics()
        sources = (
            self.statistics.collections.values()
            if collection is None
            else [self.statistics.collections.get(collection, CollectionStatistics())]
        )
        for source in sources:
            for name in ("get", "ttl", "put", "delete"):
                getattr(total, name)._add(getattr(source, name))
        return total

    def reset_statistics(self) -> None:
        """Forget every count."""
        self.statistics = StoreStatistics()


@dataclasses.dataclass(frozen=True, repr=False)
class Statistics(Aspect):
    """The aspect behind :func:`with_statistics`. Each store gets its own counts."""

    label: ClassVar[str] = "with_statistics"
    exposed: ClassVar[tuple[str, ...]] = ("get_statistics", "reset_statistics", "statistics")

    def bind(self) -> StatisticsRecorder:
        return StatisticsRecorder()


class StatisticsWrapper(AspectWrapper, exposes=Statistics):
    """A store that counts its operations (the specification's ``StatisticsWrapper``).

    Args:
        key_value: The store to wrap.

    Example:
        >>> import asyncio
        >>> from kvdeco import MemoryStore
        >>> store = StatisticsWrapper(key_value=MemoryStore())
        >>> asyncio.run(store.get("missing"))
        >>> store.get_statistics().get.misses
        1
    """

    def __init__(self, key_value: Any) -> None:
        super().__init__(key_value, Statistics())

    if TYPE_CHECKING:
        # ``exposes=Statistics`` makes these read this store's recorder; the declarations
        # only tell type checkers what they are.

        def get_statistics(self, collection: str | None = None) -> CollectionStatistics:
            """A snapshot of the counts of one collection, or of all collections together."""
            ...

        def reset_statistics(self) -> None:
            """Forget every count."""
            ...

        @property
        def statistics(self) -> StoreStatistics:
            """Live counts by collection, in py-key-value's shape."""
            ...


with_statistics = DecoratorFactory(
    Statistics,
    StatisticsWrapper,
    name="with_statistics",
    doc="""Decorate a store class or instance to count its operations; use bare or called.

    Example:
        >>> from kvdeco import MemoryStore
        >>> @with_statistics
        ... class CountedStore(MemoryStore):
        ...     pass
        >>> CountedStore().get_statistics().get.count
        0
    """,
)
