"""What the wrapper tests share: a store that records calls, JSON strategies, raw-data scans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from kvdeco import MemoryStore

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
json_mappings = st.dictionaries(st.text(), json_values, max_size=6)
"""Any value a store accepts: a JSON object of JSON values."""


class CountingStore(MemoryStore):
    """A MemoryStore that records the name of every operation it is called with."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self.calls.append("get")
        return await super().get(key, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        self.calls.append("put")
        await super().put(key, value, collection=collection, ttl=ttl)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self.calls.append("get_many")
        return await super().get_many(keys, collection=collection)

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self.calls.append("ttl_many")
        return await super().ttl_many(keys, collection=collection)

    async def put_many(
        self,
        keys: Sequence[str],
        values: Sequence[Any],
        *,
        collection: str | None = None,
        ttl: Any = None,
    ) -> None:
        self.calls.append("put_many")
        await super().put_many(keys, values, collection=collection, ttl=ttl)


async def raw_entries(store: MemoryStore) -> list[dict[str, Any]]:
    """Every value a MemoryStore holds, in every collection, as it holds it."""
    found: list[dict[str, Any]] = []
    for collection in await store.collections():
        keys = await store.keys(collection)
        found.extend(v for v in await store.get_many(keys, collection=collection) if v is not None)
    return found
