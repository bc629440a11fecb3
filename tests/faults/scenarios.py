"""Fault scenarios: concurrent workers on a resilient stack while the server misbehaves.

The stack under test is the one the documentation recommends for a shared cache::

    FallbackWrapper(
        primary=RetryWrapper(TimeoutWrapper(RedisStore(...), timeout=...), ...),
        fallback=MemoryStore(),          # answers reads while Redis cannot
    )

The Redis client's own retrying is switched off so that ``RetryWrapper`` alone decides, and
its schedule bounds how long a call can take however the server behaves: attempts times the
deadline, plus the backoffs.

Why the client still gets a ``socket_timeout``: ``TimeoutWrapper`` ends a call by cancelling
it, and that only works if the code below lets the cancellation through. With redis-py 8.1 on
CPython 3.11, a deadline that expires while the client is opening a new connection (sending
``HELLO``) is now and then lost inside the client: the call goes on waiting and returns, with
a correct result, only once the server answers again, that is after a whole pause. The
client's own read deadline ends such a call, so ``worst_case_bound`` holds even then.

:func:`run` starts the workers, pauses or kills the server at a given moment, brings it back,
stops the workers, then reads the server's final content with a fresh client and judges it
against the :class:`~tests.faults.ledger.Ledger`.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import math
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import async_timeout
import redis
from redis.asyncio.retry import Retry as ClientRetry
from redis.backoff import NoBackoff

from kvdeco import FallbackWrapper, MemoryStore, RetryWrapper, TimeoutWrapper
from kvdeco.stores.redis import RedisStore
from tests.faults.ledger import (
    Ledger,
    Record,
    Summary,
    fallback_seed_value,
    percentile,
    seed_value,
    value_for,
)
from tests.redis_server import RedisProcess

__all__ = ["Plan", "run"]

NAMESPACE = "faults"
WRITES = "ledger"
SEEDS = "seeds"

_CURRENT: contextvars.ContextVar[Record | None] = contextvars.ContextVar(
    "current_record", default=None
)


@dataclasses.dataclass(frozen=True)
class Plan:
    """One scenario.

    Attributes:
        name: Shown in the summary.
        fault: ``"pause"`` (SIGSTOP, then SIGCONT) or ``"kill"`` (SIGKILL, then a restart).
        durable: Run the server with an append-only file fsynced on every write.
        tasks: Concurrent workers.
        warmup: Seconds of normal operation before the fault.
        fault_seconds: How long the server stays paused or dead.
        recovery: Seconds of operation after the server is back.
        timeout: ``TimeoutWrapper``'s deadline for each attempt.
        max_retries: ``RetryWrapper``'s retries after the first attempt.
        initial_delay: ``RetryWrapper``'s first backoff.
        max_delay: ``RetryWrapper``'s longest backoff.
        socket_timeout: The Redis client's own read deadline: the backstop for a cancellation
            that the client loses (see the module docs).
        seeds_per_task: Entries written before the run that each worker may delete.
        write_to_fallback: Let writes the primary refuses go to the fallback store.
        seed: Seeds the workers' random choices.
    """

    name: str
    fault: str
    durable: bool = False
    tasks: int = 50
    warmup: float = 0.5
    fault_seconds: float = 2.5
    recovery: float = 1.5
    timeout: float = 0.1
    max_retries: int = 2
    initial_delay: float = 0.02
    max_delay: float = 0.2
    socket_timeout: float | None = 0.5
    seeds_per_task: int = 4
    write_to_fallback: bool = False
    seed: int = 1

    @property
    def latency_bound(self) -> float:
        """The longest a call can take when every attempt fails: attempts plus backoffs."""
        return (self.max_retries + 1) * self.timeout + self._waits

    @property
    def worst_case_bound(self) -> float:
        """The bound when the client loses a cancellation in every attempt (see module docs).

        Each attempt then lasts until the client's own ``socket_timeout`` ends its read.
        """
        backstop = self.socket_timeout or math.inf
        return (self.max_retries + 1) * (self.timeout + backstop) + self._waits

    @property
    def _waits(self) -> float:
        return sum(min(self.initial_delay * 2**n, self.max_delay) for n in range(self.max_retries))


class RecordingFallback(MemoryStore):
    """The fallback store: a MemoryStore that marks the calls it answered."""

    async def get(self, key: str, *, collection: str | None = None) -> Any:
        self._mark()
        return await super().get(key, collection=collection)

    async def get_many(self, keys: Sequence[str], *, collection: str | None = None) -> Any:
        self._mark()
        return await super().get_many(keys, collection=collection)

    @staticmethod
    def _mark() -> None:
        record = _CURRENT.get()
        if record is not None:
            record.via_fallback = True


def redis_store(url: str, socket_timeout: float | None = None) -> RedisStore:
    """A RedisStore whose client does not retry by itself (``RetryWrapper`` does)."""
    return RedisStore(
        url,
        namespace=NAMESPACE,
        retry=ClientRetry(NoBackoff(), 0),
        socket_connect_timeout=1.0,
        socket_timeout=socket_timeout,
    )


def build_stack(plan: Plan, primary: RedisStore, fallback: MemoryStore) -> Any:
    """The stack under test, around ``primary``."""
    retried = RetryWrapper(
        TimeoutWrapper(primary, timeout=plan.timeout),
        max_retries=plan.max_retries,
        initial_delay=plan.initial_delay,
        max_delay=plan.max_delay,
    )
    return FallbackWrapper(
        primary=retried, fallback=fallback, write_to_fallback=plan.write_to_fallback
    )


@dataclasses.dataclass
class _Clock:
    fault_start: float = math.nan
    restart: float = math.nan
    fault_end: float = math.nan
    loop_lag: float = 0.0


class _Run:
    def __init__(self, plan: Plan, server: RedisProcess) -> None:
        self.plan = plan
        self.server = server
        self.ledger = Ledger()
        self.stop = asyncio.Event()
        self.clock = _Clock()
        self.written: list[str] = []
        self.finished = 0

    def seed_keys(self, task: int) -> list[str]:
        return [f"s{task:02d}-{n}" for n in range(self.plan.seeds_per_task)]

    async def call(self, task: int, op: str, keys: Sequence[str], awaitable: Any) -> None:
        record = self.ledger.open(task, op, keys, time.perf_counter())
        token = _CURRENT.set(record)
        try:
            record.result = await awaitable
        except Exception as error:  # every raised error is ledger data, not a test failure
            record.error = type(error).__name__
        finally:
            record.end = time.perf_counter()
            _CURRENT.reset(token)

    async def worker(self, store: Any, task: int) -> None:
        rng = random.Random(self.plan.seed * 1000 + task)
        seeds = self.seed_keys(task)
        mine: list[str] = []
        count = 0

        def fresh() -> str:
            nonlocal count
            count += 1
            key = f"t{task:02d}-{count:06d}"
            mine.append(key)
            self.written.append(key)
            return key

        while not self.stop.is_set():
            choice = rng.random()
            readable = mine[-20:] + seeds
            if choice < 0.35:
                key = fresh()
                await self.call(
                    task, "put", [key], store.put(key, value_for(key), collection=WRITES)
                )
            elif choice < 0.45:
                keys = [fresh() for _ in range(3)]
                values = [value_for(k) for k in keys]
                await self.call(
                    task, "put_many", keys, store.put_many(keys, values, collection=WRITES)
                )
            elif choice < 0.92 or not seeds:
                keys = rng.sample(readable, k=min(len(readable), 1 if choice < 0.75 else 4))
                await self._read(store, task, keys)
            else:
                key = seeds.pop()
                await self.call(task, "delete", [key], store.delete(key, collection=SEEDS))
            await asyncio.sleep(rng.uniform(0, 0.004))
        self.finished += 1

    async def _read(self, store: Any, task: int, keys: list[str]) -> None:
        # Seeds and written keys live in two collections: read each part where it lives.
        for collection, part in (
            (SEEDS, [k for k in keys if k.startswith("s")]),
            (WRITES, [k for k in keys if k.startswith("t")]),
        ):
            if len(part) == 1:
                await self.call(task, "get", part, store.get(part[0], collection=collection))
            elif part:
                await self.call(task, "get_many", part, store.get_many(part, collection=collection))

    async def drive(self) -> None:
        plan, server = self.plan, self.server
        await asyncio.sleep(plan.warmup)
        self.clock.fault_start = time.perf_counter()
        if plan.fault == "pause":
            server.pause()
            await asyncio.sleep(plan.fault_seconds)
            server.resume()
        elif plan.fault == "kill":
            server.kill()
            await asyncio.sleep(plan.fault_seconds)
            self.clock.restart = time.perf_counter()
            await asyncio.to_thread(server.start)
        else:
            raise ValueError(f"unknown fault {plan.fault!r}")
        self.clock.fault_end = time.perf_counter()
        await asyncio.sleep(plan.recovery)
        self.stop.set()

    async def watch_loop(self) -> None:
        # How late the event loop runs a 10 ms timer: latency beyond the stack's bound is
        # this process being starved of CPU, not a call left waiting on the server.
        while not self.stop.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.clock.loop_lag = max(self.clock.loop_lag, time.perf_counter() - start - 0.01)


def _client_count(server: RedisProcess) -> int:
    """Connections the server has, not counting the one asking."""
    with redis.Redis.from_url(server.url) as admin:
        return len(admin.client_list()) - 1


async def _connections_after_close(server: RedisProcess) -> int:
    # The server notices closed sockets on its next event-loop turn: ask until it has.
    count = -1
    for _ in range(50):
        count = await asyncio.to_thread(_client_count, server)
        if count == 0:
            break
        await asyncio.sleep(0.1)
    return count


async def _seed(server: RedisProcess, run: _Run, fallback: MemoryStore) -> list[str]:
    keys = [k for task in range(run.plan.tasks) for k in run.seed_keys(task)]
    async with redis_store(server.url) as plain:
        await plain.destroy()
        await plain.put_many(keys, [seed_value(k) for k in keys], collection=SEEDS)
    await fallback.put_many(keys, [fallback_seed_value(k) for k in keys], collection=SEEDS)
    return keys


async def _final_content(server: RedisProcess, keys: list[str], collection: str) -> dict[str, Any]:
    async with redis_store(server.url) as plain:
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.update(zip(chunk, await plain.get_many(chunk, collection=collection)))
        return found


async def run(plan: Plan, directory: Path) -> tuple[Summary, Ledger]:
    """Run one scenario on a private ``redis-server`` kept in ``directory``."""
    summary = Summary(
        plan.name,
        tasks=plan.tasks,
        latency_bound_ms=plan.latency_bound * 1000,
        worst_case_bound_ms=plan.worst_case_bound * 1000,
    )
    with RedisProcess(directory, durable=plan.durable) as server:
        fallback = RecordingFallback()
        state = _Run(plan, server)
        seeds = await _seed(server, state, fallback)
        primary = redis_store(server.url, plan.socket_timeout)
        store = build_stack(plan, primary, fallback)
        budget = plan.warmup + plan.fault_seconds + plan.recovery + 10 * plan.latency_bound + 30
        async with async_timeout.timeout(budget):  # nothing may hang: this fails the run
            workers = [state.worker(store, task) for task in range(plan.tasks)]
            await asyncio.gather(state.drive(), state.watch_loop(), *workers)
        summary.tasks_finished = state.finished
        summary.connections_before_close = await asyncio.to_thread(_client_count, server)
        await primary.close()
        summary.connections_after_close = await _connections_after_close(server)
        written = await _final_content(server, state.written, WRITES)
        seeded = await _final_content(server, seeds, SEEDS)
    clock = state.clock
    crash = (
        (clock.fault_start, clock.restart) if plan.fault == "kill" and not plan.durable else None
    )
    state.ledger.check(summary, written=written, seeds=seeded, crash=crash)
    _timings(summary, state.ledger, plan, clock)
    return summary, state.ledger


def _timings(summary: Summary, ledger: Ledger, plan: Plan, clock: _Clock) -> None:
    during = [r for r in ledger.records if clock.fault_start <= r.start < clock.fault_end]
    samples = [(r.end - r.start) * 1000 for r in during]
    summary.fault_operations = len(samples)
    # A call started before the fault may be carried across all of it by its retries: on a
    # loaded machine every worker can be inside such a call, and none starts during the fault.
    summary.calls_across_fault = sum(
        r.start < clock.fault_end and r.end > clock.fault_start for r in ledger.records
    )
    summary.loop_lag_ms = clock.loop_lag * 1000
    summary.fault_latency_ms = {
        "p50": percentile(samples, 0.50),
        "p99": percentile(samples, 0.99),
        "max": max(samples, default=math.nan),
    }
    # A call made while the server was away that the primary answered after it came back.
    summary.recovered_by_retry = sum(
        r.acknowledged and not r.via_fallback and r.end >= clock.fault_end for r in during
    )
    # Once the server is back and a whole retry budget has passed, every call must succeed.
    settled = clock.fault_end + plan.latency_bound
    summary.failed_after_recovery = sum(
        not r.acknowledged or r.via_fallback for r in ledger.records if r.start >= settled
    )
