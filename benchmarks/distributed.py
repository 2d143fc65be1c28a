"""Figures of `RayExecutor`: the cost of a remote superstep, and a CPU-bound `each` that gets
faster with workers.

Run it inside a loopback-only network namespace (Ray binds the external address otherwise):

    unshare -n sh -c 'ip link set lo up && exec env RAY_AUTH_MODE=disabled \\
        RAY_USAGE_STATS_ENABLED=0 python3 benchmarks/distributed.py'

Prints a Markdown table. `LITEFLOW_BENCH_REPEAT` sets the runs per figure (default 5).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import TypedDict

from liteflow import START, each, flow, node
from liteflow.executors import RayExecutor

REPEAT = int(os.environ.get("LITEFLOW_BENCH_REPEAT", "5"))


class Items(TypedDict):
    items: list[int]


class Out(TypedDict):
    out: list[int]


@node
def make(count: int) -> Items:
    return {"items": list(range(count))}


@node
def trivial(item: int) -> None:
    return None


@node
def burn(item: int) -> None:
    total = 0
    for i in range(3_000_000):  # about 0.15 s of pure Python on one core
        total += i ^ item


@flow
def wide(count: int) -> None:
    START >> make >> each("items", trivial, item="item")


@flow
def cpu(count: int) -> None:
    START >> make >> each("items", burn, item="item")


def _best(run: object, count: int) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run.run(count=count)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with RayExecutor(init_kwargs={"num_cpus": 2}) as executor:
        on_ray = wide.with_options(executor=executor)
        on_ray.run(count=20)  # warm the workers
        rows = []
        base = _best(on_ray, 0)  # `make` on Ray, then a map of no element: no remote call
        for count in (1, 10, 50):
            took = _best(on_ray, count) - base
            rows.append((f"superstep of {count} trivial call(s)", took * 1000,
                         (took * 1000) / count))
        serial = _best(cpu.with_options(executor=_one_cpu()), 8)
        parallel = _best(cpu.with_options(executor=executor), 8)
    print("| figure | ms | ms per call |")
    print("| --- | ---: | ---: |")
    for name, ms, per in rows:
        print(f"| {name} | {ms:.1f} | {per:.2f} |")
    print(f"| CPU-bound each of 8, 1 worker | {serial * 1000:.0f} | |")
    print(f"| CPU-bound each of 8, 2 workers | {parallel * 1000:.0f} | |")
    print(f"\nspeed-up with 2 workers: {serial / parallel:.2f}x")


def _one_cpu() -> RayExecutor:
    # Same Ray, but each call takes both CPUs: calls run one at a time.
    return RayExecutor(num_cpus_per_call=2)


if __name__ == "__main__":
    main()
