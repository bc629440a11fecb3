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
import sys
from collections.abc import Awaitable, Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _table import overhead_table, per_call
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
            samples[name].append(await per_call(lambda s=store: s.get("k"), calls))
            exporter.clear()
    return samples


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args(argv)
    print(overhead_table(asyncio.run(run(args.repetitions, args.calls)), "get"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
