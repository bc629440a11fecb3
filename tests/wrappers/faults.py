"""Stores that misbehave on purpose, for the tests of the wrappers that handle bad days."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from kvdeco import MemoryStore


class FlakyStore(MemoryStore):
    """Raises ``error`` from the first ``failures`` reads and writes, then behaves.

    ``attempts`` counts every call that reached the store.
    """

    def __init__(self, failures: int = 0, error: BaseException | None = None) -> None:
        super().__init__()
        self.failures = failures
        self.error = error if error is not None else ConnectionError("backend unreachable")
        self.attempts = 0
        self.raised: list[BaseException] = []

    def _maybe_fail(self) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            error = type(self.error)(*self.error.args)  # a new error each time
            self.raised.append(error)
            raise error

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self._maybe_fail()
        return await super().get(key, collection=collection)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self._maybe_fail()
        return await super().get_many(keys, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        self._maybe_fail()
        await super().put(key, value, collection=collection, ttl=ttl)


class BrokenStore(MemoryStore):
    """Every protocol operation raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
        self.calls: list[str] = []

    def _fail(self, name: str) -> Any:
        self.calls.append(name)
        raise self.error

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return self._fail("get")

    async def ttl(self, key: str, *, collection: str | None = None) -> Any:
        return self._fail("ttl")

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return self._fail("get_many")

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return self._fail("ttl_many")

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        self._fail("put")

    async def put_many(
        self, keys: Any, values: Any, *, collection: Any = None, ttl: Any = None
    ) -> None:
        self._fail("put_many")

    async def delete(self, key: str, *, collection: str | None = None) -> Any:
        return self._fail("delete")

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return self._fail("delete_many")


class HangingStore(MemoryStore):
    """``get`` waits forever; it records that it was cancelled and that it cleaned up."""

    def __init__(self) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.cancelled = False
        self.cleaned_up = False

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.cleaned_up = True


class RecordingStore(MemoryStore):
    """A MemoryStore that records each protocol call as ``(operation, keys, ttl)``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[str, ...], Any]] = []

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self.calls.append(("get", (key,), None))
        return await super().get(key, collection=collection)

    async def ttl(self, key: str, *, collection: str | None = None) -> Any:
        self.calls.append(("ttl", (key,), None))
        return await super().ttl(key, collection=collection)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self.calls.append(("get_many", tuple(keys), None))
        return await super().get_many(keys, collection=collection)

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self.calls.append(("ttl_many", tuple(keys), None))
        return await super().ttl_many(keys, collection=collection)

    async def put(
        self, key: str, value: Any, *, collection: str | None = None, ttl: Any = None
    ) -> None:
        self.calls.append(("put", (key,), ttl))
        await super().put(key, value, collection=collection, ttl=ttl)

    async def put_many(
        self, keys: Any, values: Any, *, collection: Any = None, ttl: Any = None
    ) -> None:
        self.calls.append(("put_many", tuple(keys), ttl))
        await super().put_many(keys, values, collection=collection, ttl=ttl)

    async def delete(self, key: str, *, collection: str | None = None) -> Any:
        self.calls.append(("delete", (key,), None))
        return await super().delete(key, collection=collection)

    async def delete_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self.calls.append(("delete_many", tuple(keys), None))
        return await super().delete_many(keys, collection=collection)

    def names(self) -> list[str]:
        """The operations called, in order."""
        return [name for name, _, _ in self.calls]
