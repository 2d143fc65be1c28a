"""What observability costs per superstep of a chain of simple sync nodes.

    PYTHONPATH=$PWD python benchmarks/observability.py [--size 1000] [--runs 7]

Rows: nothing on (the plain `run()`), `metrics=True`, a listener (`on_event`), and
`tracing=True` against an OpenTelemetry SDK provider with an in-memory exporter (skipped
when the SDK is not installed). Each row is the best of `--runs` warm runs; the extra cost
of a row is its time minus the plain row's (one node call per superstep).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from workloads.liteflow_impl import build_chain  # noqa: E402


def _best(run: Callable[[], Any], runs: int) -> float:
    run()  # warm
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    chain = build_chain(args.size)
    measured = chain.with_options(metrics=True)  # configured once, outside the timing
    listened = chain.with_options(on_event=lambda e: None)
    rows: list[tuple[str, Callable[[], Any]]] = [
        ("plain run()", lambda: chain.run(counter=0)),
        ("metrics=True", lambda: measured.run(counter=0)),
        ("on_event listener", lambda: listened.run(counter=0)),
    ]
    try:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        import liteflow.observability as obs

        provider = TracerProvider()
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))

        def traced() -> None:
            obs.instrument(tracer_provider=provider)
            try:
                chain.run(counter=0)
            finally:
                obs.uninstrument()
                exporter.clear()

        rows.append(("tracing (SDK, in-memory)", traced))
    except ImportError:
        print("opentelemetry-sdk not installed: no tracing row", file=sys.stderr)
    plain = None
    print(f"| chain of {args.size} | µs per superstep | extra µs per node call |")
    print("|---|---|---|")
    for name, run in rows:
        per = _best(run, args.runs) / args.size * 1e6
        plain = per if plain is None else plain
        print(f"| {name} | {per:.2f} | {per - plain:+.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
