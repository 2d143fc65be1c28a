"""A 2,000-node chain goes through every check and runs; its speed is measured in
the `compile` workload of `benchmarks/run.py`, not here."""

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


def test_a_2000_node_chain_compiles_clean_and_runs() -> None:
    steps = [_step(i) for i in range(SIZE)]

    @flow(max_supersteps=SIZE + 10)
    def 长链(counter: int) -> 计数:
        for a, b in pairwise(steps):
            a >> b

    assert 长链.diagnostics == ()
    plan, diagnostics = compile_decl(长链.decl)
    assert plan is not None and diagnostics == []
    assert plan.fingerprint == 长链.plan.fingerprint
    assert 长链.run(counter=0).output == {"counter": SIZE}
