"""A store whose reads can be held: each read takes its snapshot at once, then waits.

``GatedStore`` lets a test decide when each read of the store returns, so it can place a
write exactly between a read's look at the store and that read's answer: the interleavings
that a cache filling on a miss has to survive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from kvdeco import MemoryStore


class GatedStore(MemoryStore):
    """A MemoryStore whose ``ttl``/``ttl_many``/``get``/``get_many`` wait for a gate.

    Attributes:
        reads: How many reads reached the store.
        held: The gates of the reads waiting now, oldest first.
        hold: When False, reads return at once (after one turn of the event loop).
        delay: Seconds each read takes, when not held.
        failure: Raised by every read while set (after the snapshot, as a timeout would).
    """

    def __init__(self, *, hold: bool = True, delay: float = 0.0) -> None:
        super().__init__()
        self.reads = 0
        self.held: list[asyncio.Event] = []
        self.hold = hold
        self.delay = delay
        self.failure: BaseException | None = None

    async def _after(self, snapshot: Any) -> Any:
        self.reads += 1
        if self.hold:
            gate = asyncio.Event()
            self.held.append(gate)
            await gate.wait()
        else:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        return snapshot

    def release_oldest(self) -> bool:
        """Let the oldest held read return; False when none is held."""
        if not self.held:
            return False
        self.held.pop(0).set()
        return True

    def release_all(self) -> None:
        """Let every held read return, and the later ones return at once."""
        self.hold = False
        while self.release_oldest():
            pass

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        return await self._after(await super().get(key, collection=collection))

    async def ttl(self, key: str, *, collection: str | None = None) -> Any:
        return await self._after(await super().ttl(key, collection=collection))

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return await self._after(await super().get_many(keys, collection=collection))

    async def ttl_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        return await self._after(await super().ttl_many(keys, collection=collection))

    async def direct_put(self, key: str, value: Any, **options: Any) -> None:
        """Write without going through any wrapper (test setup)."""
        await MemoryStore.put(self, key, value, **options)


async def settle(turns: int = 5) -> None:
    """Let the event loop run the tasks that are ready, a few turns."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def interleave(store: Any, backend: GatedStore, steps: list[str]) -> None:
    """Run ``steps`` against ``store`` (over ``backend``) and check that no write is undone.

    ``read``/``read_many`` start a read, ``release`` lets the oldest held read of the
    backend return, ``put``/``delete`` write through ``store`` and wait for it.
    """
    # states[g] is what the store holds after the g-th write (0: before any); each read must
    # answer with a state at least as new as the last write completed before it began.
    states: list[Any] = [None]
    reads: list[tuple[int, asyncio.Future[Any]]] = []
    for step in steps:
        if step == "read":
            reads.append((len(states) - 1, asyncio.ensure_future(store.get("k"))))
        elif step == "read_many":
            many = asyncio.ensure_future(store.get_many(["k", "other"]))
            reads.append((len(states) - 1, asyncio.ensure_future(_first(many))))
        elif step == "release":
            backend.release_oldest()
        elif step == "put":
            value = {"generation": len(states)}
            await store.put("k", value)
            states.append(value)
        else:
            await store.delete("k")
            states.append(None)
        await settle()
    backend.release_all()
    for committed, read in reads:
        answer = await read
        assert answer in states[committed:], (answer, committed, states)
    assert await store.get("k") == states[-1]
    assert await store.get_many(["k"]) == [states[-1]]


async def _first(values: Any) -> Any:
    return (await values)[0]
