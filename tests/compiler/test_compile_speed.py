"""Compile speed: a 2,000-node chain through every check and plan assembly.

The target is 30 µs per node (LangGraph's compile takes about 154). The assertion
leaves room for slow, shared CI machines; the figure itself is printed (`pytest -s`).
"""

import gc
import time
from itertools import pairwise
from typing import Any, TypedDict

from liteflow import flow, node
from liteflow.compiler import compile_decl

SIZE = 2000


class 计数(TypedDict):
    counter: int


def _step(i: int) -> Any:
    def step(counter: int) -> 计数:
        return {"counter": counter + 1}

    step.__name__ = step.__qualname__ = f"第{i}步"
    return node(step)


def test_compiling_a_2000_node_chain_with_every_check() -> None:
    steps = [_step(i) for i in range(SIZE)]

    @flow(max_supersteps=SIZE + 10)
    def 长链(counter: int) -> 计数:
        for a, b in pairwise(steps):
            a >> b

    assert 长链.diagnostics == ()
    best = float("inf")
    for _ in range(7):
        gc.collect()
        started = time.perf_counter()
        plan, diagnostics = compile_decl(长链.decl)
        best = min(best, time.perf_counter() - started)
        assert plan is not None and diagnostics == []
    per_node = best / SIZE * 1e6
    print(f"\ncompile (every check + plan) of a {SIZE}-node chain: {per_node:.1f} µs per node")
    assert per_node < 120
    assert 长链.run(counter=0).output == {"counter": SIZE}
