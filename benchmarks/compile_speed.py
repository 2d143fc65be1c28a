"""Compile speed alone: trace and compile a flow over an N-node chain of existing nodes.

The `build` workload of `run.py` also counts creating the nodes (`@node` reads each
function's signature and hints); this isolates what the compiler does: tracing the wiring,
every check of `liteflow check` (LF100–LF302) and assembling the plan.

    python benchmarks/compile_speed.py [--size 2000] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from itertools import pairwise
from typing import Any, TypedDict


class ChainOut(TypedDict):
    counter: int


def _once(size: int) -> float:
    from liteflow import flow, node

    def make(i: int) -> Any:
        def step(counter: int) -> ChainOut:
            return {"counter": counter + 1}

        step.__name__ = f"step_{i}"
        return node(step)

    steps = [make(i) for i in range(size)]

    def chain(counter: int) -> None:
        for a, b in pairwise(steps):
            a >> b

    flow(output=ChainOut, max_supersteps=size + 10)(chain)  # prime lazy imports
    started = time.perf_counter()
    compiled = flow(output=ChainOut, max_supersteps=size + 10)(chain)
    elapsed = time.perf_counter() - started
    assert len(compiled.plan.nodes) == size and not compiled.diagnostics
    return elapsed / size * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_once(args.size)))
        return
    # Each run in a fresh process, like the other benchmarks.
    figures = [
        json.loads(subprocess.run([sys.executable, __file__, "--child", "--size", str(args.size)],
                                  capture_output=True, text=True, check=True).stdout)
        for _ in range(args.runs)
    ]
    print(f"compile (trace + all checks + plan), {args.size}-node chain: "
          f"median {statistics.median(figures):.1f} µs/node "
          f"(min {min(figures):.1f}, max {max(figures):.1f}, {args.runs} processes)")


if __name__ == "__main__":
    main()
