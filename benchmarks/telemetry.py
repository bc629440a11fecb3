"""What tracing and metrics cost per ``get``: ``python benchmarks/telemetry.py [--repetitions N]``.

Measures, side by side in one process and interleaved, a ``get`` hit on a MemoryStore with and
without the telemetry layers: with OpenTelemetry's default (no-op) providers, which is what a
program gets when no SDK is installed, and with the SDK recording to memory. Prints the median
of the repetitions per row, its interquartile range, and the overhead over the plain ``get``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from kvdeco import Aspect, AspectWrapper, Decorator, MemoryStore, metered, traced


class _Nothing(Aspect):
    """A layer that only passes calls on: the engine's own cost, for comparison."""


Op = Callable[[], Awaitable[Any]]


async def _batch(op: Op, count: int) -> float:
    """Microseconds per call over ``count`` calls."""
    start = time.perf_counter()
    for _ in range(count):
        await op()
    return (time.perf_counter() - start) / count * 1e6


def _stores() -> dict[str, Any]:
    exporter = InMemorySpanExporter()
    sdk_tracer = TracerProvider()
    sdk_tracer.add_span_processor(SimpleSpanProcessor(exporter))
    sdk_meter = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return {
        "get": MemoryStore(),
        "get through a do-nothing aspect layer": Decorator(_Nothing(), AspectWrapper)(
            MemoryStore()
        ),
        "traced get, no-op provider": traced(MemoryStore()),
        "metered get, no-op provider": metered(MemoryStore()),
        "traced get, SDK recording": traced(tracer_provider=sdk_tracer)(MemoryStore()),
        "metered get, SDK recording": metered(meter_provider=sdk_meter)(MemoryStore()),
        "_exporter": exporter,
    }


async def run(repetitions: int, calls: int) -> dict[str, list[float]]:
    """Per row, the microseconds per call of each repetition."""
    stores = _stores()
    exporter = stores.pop("_exporter")
    value = {"name": "Ada", "body": "x" * 1000}
    for store in stores.values():
        await store.put("k", value)
    samples: dict[str, list[float]] = {name: [] for name in stores}
    for _ in range(repetitions):
        for name, store in stores.items():  # interleaved: drift hits every row alike
            samples[name].append(await _batch(lambda s=store: s.get("k"), calls))
            exporter.clear()
    return samples


def report(samples: dict[str, list[float]]) -> str:
    """The table: median, interquartile range and overhead over the plain get."""
    floor = statistics.median(samples["get"])
    lines = [
        "| row | µs per get | [IQR] | overhead over get (µs) | ratio |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, values in samples.items():
        median = statistics.median(values)
        low, _, high = statistics.quantiles(values, n=4)
        overhead = "" if name == "get" else f"{median - floor:+.2f}"
        lines.append(
            f"| {name} | {median:.2f} | [{low:.2f}-{high:.2f}] | {overhead} | "
            f"{median / floor:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args(argv)
    print(report(asyncio.run(run(args.repetitions, args.calls))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
