"""What the wrapper tests share: a store class that records calls, values, raw-data scans."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kvdeco import Aspect, Call, MemoryStore, decorate_class
from kvdeco.operations import Proceed
from kvdeco.testing import strategies as kst

json_mappings = kst.json_mappings(large=False)
"""Any value a store accepts: a JSON object of JSON values (the kit's strategy)."""


@dataclasses.dataclass(frozen=True, repr=False)
class Recording(Aspect):
    """Records the name of every operation a store is called with, in ``store.calls``."""

    label: ClassVar[str] = "recording"
    exposed: ClassVar[tuple[str, ...]] = ("calls",)

    def bind(self) -> _Recorder:
        return _Recorder()


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def around(self, call: Call, proceed: Proceed) -> Any:
        self.calls.append(call.op.name)
        return await proceed(call)


CountingStore: Any = decorate_class(MemoryStore, Recording())
"""A MemoryStore whose ``calls`` lists the operations it was asked for, in order."""


async def raw_entries(store: MemoryStore) -> list[dict[str, Any]]:
    """Every value a MemoryStore holds, in every collection, as it holds it."""
    found: list[dict[str, Any]] = []
    for collection in await store.collections():
        keys = await store.keys(collection)
        found.extend(v for v in await store.get_many(keys, collection=collection) if v is not None)
    return found
