"""Where the wall time of ``async_io`` goes: timestamps taken inside the branches.

Usage (normally invoked by ``run.py``; the last line of stdout is the JSON result)::

    python benchmarks/timeline.py --variant liteflow --size 1000 --runs 5

Variants: ``liteflow`` (its ``run()``, default options), ``plain-uvloop`` and
``plain-asyncio`` (the hand-written ``asyncio.gather`` lower bound on either loop). Each run
is cut into phases that add up to its wall time:

- *until the sleeps start*: from the call to the first branch's first step (event loop,
  source node, planning the superstep, creating the tasks);
- *sleeping*: from there to the first branch waking up (the sleep itself, which the
  tasks' first steps overlap);
- *waking up*: from the first branch waking to the last branch returning;
- *after the branches*: from the last branch returning to the call returning (checking
  and merging outputs, the aggregator, closing the loop).

The process reports the phases of its fastest run.
"""

# No ``from __future__ import annotations``: the liteflow nodes below are made inside a
# function, and their hints must be real objects.
import argparse
import asyncio
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # liteflow from the work tree

from workloads.common import ASYNC_SLEEP_S  # noqa: E402

VARIANTS = ("liteflow", "plain-uvloop", "plain-asyncio")
PHASES = ("until the sleeps start", "sleeping", "waking up", "after the branches")

#: Timestamps of the current run, written by the branches.
MARKS: dict[str, float] = {}


async def _branch_body(base: int, i: int) -> dict[str, Any]:
    now = time.perf_counter()
    MARKS.setdefault("first_start", now)
    await asyncio.sleep(ASYNC_SLEEP_S)
    now = time.perf_counter()
    MARKS.setdefault("first_wake", now)
    MARKS["last_end"] = now
    return {"items": [base + i]}


def _liteflow(size: int) -> Callable[[], Any]:
    from workloads import liteflow_impl as impl

    def make(i: int) -> Any:
        async def branch(base: int) -> impl.BranchOut:
            return await _branch_body(base, i)  # type: ignore[return-value]

        return impl._named(branch, f"branch_{i}")

    fan = impl._build_fan(size, make)
    return lambda: fan.run(seed=0).output


def _plain(size: int, loop: str) -> Callable[[], Any]:
    from workloads import plain_impl as impl

    factory = None
    if loop == "uvloop":
        import uvloop

        factory = uvloop.new_event_loop

    def make(i: int) -> Callable[..., Coroutine[Any, Any, dict[str, Any]]]:
        async def branch(base: int) -> dict[str, Any]:
            return await _branch_body(base, i)

        return branch

    branches = [make(i) for i in range(size)]

    def run() -> Any:
        with asyncio.Runner(loop_factory=factory) as runner:
            state = runner.run(impl._run_async_io(branches))
        return {"count": state["count"], "total": state["total"]}

    return run


def measure(variant: str, size: int, runs: int) -> dict[str, Any]:
    """The phases (seconds) of the fastest of `runs` runs, after one unmeasured run."""
    run = _liteflow(size) if variant == "liteflow" else _plain(size, variant.split("-")[1])
    expected = {"count": size, "total": size * (size - 1) // 2}
    best: dict[str, float] | None = None
    for k in range(runs + 1):
        MARKS.clear()
        gc.collect()
        start = time.perf_counter()
        out = run()
        end = time.perf_counter()
        if out != expected:
            raise AssertionError(f"{variant}: {out!r}, expected {expected!r}")
        if k == 0:
            continue  # the first run pays one-time costs (imports, caches)
        phases = {
            PHASES[0]: MARKS["first_start"] - start,
            PHASES[1]: MARKS["first_wake"] - MARKS["first_start"],
            PHASES[2]: MARKS["last_end"] - MARKS["first_wake"],
            PHASES[3]: end - MARKS["last_end"],
        }
        if best is None or sum(phases.values()) < sum(best.values()):
            best = phases
    assert best is not None
    return {"variant": variant, "size": size, "phases": best, "total": sum(best.values())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", required=True, choices=VARIANTS)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.variant, args.size, args.runs)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
