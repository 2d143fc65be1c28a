"""Property test of the checker on random flows (cycles, conditions, routes, joins, each):
it never crashes, and every flow it accepts runs without a missing-input error (LF101
is sound). Conditions and routes decide at random, so each run explores other branches."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liteflow import END, SuperstepLimitError, each, node, route
from liteflow.compiler import compile_decl
from liteflow.compiler.build import build_graph
from liteflow.compiler.dataflow import _Problem
from liteflow.compiler.diagnostics import collect_mode
from liteflow.definitions.flow import trace
from liteflow.engine.runner import PregelRunner

KEYS = ("a", "b", "c", "d", "e")


@dataclass
class NodeShape:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    outputs: tuple[tuple[str, bool], ...]  # (key, required)


@dataclass
class FlowShape:
    inputs: tuple[str, ...]
    nodes: list[NodeShape]
    edges: list[tuple[str, Any]] = field(default_factory=list)
    entries: tuple[int, ...] = ()
    mapped: int | None = None


@st.composite
def flow_shapes(draw: st.DrawFn) -> FlowShape:
    count = draw(st.integers(2, 6))
    keys = st.lists(st.sampled_from(KEYS), max_size=2, unique=True).map(tuple)
    nodes = []
    for _ in range(count):
        required = draw(keys) if draw(st.booleans()) else ()
        optional = tuple(k for k in draw(keys) if k not in required)
        outs = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), max_size=3,
                             unique_by=lambda t: t[0]))
        nodes.append(NodeShape(required, optional, tuple(outs)))
    shape = FlowShape(tuple(draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4,
                                          unique=True))), nodes)
    # A backbone keeps most nodes reachable: each node gets an edge from an earlier one.
    for dst in range(1, count):
        kind = draw(st.sampled_from(("plain", "plain", "when", "route", "join")))
        src = draw(st.integers(0, dst - 1))
        _add(draw, shape, kind, src, dst, count)
    # Then extra edges anywhere: forward edges of any kind, back edges mostly conditional.
    for _ in range(draw(st.integers(0, count))):
        src, dst = draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1))
        kinds = ("plain", "when", "route", "join") if src < dst else (
            "when", "when", "route", "plain")
        _add(draw, shape, draw(st.sampled_from(kinds)), src, dst, count)
    if draw(st.integers(0, 3)):
        shape.entries = (0, *draw(st.lists(st.integers(1, count - 1), max_size=1)))
    if draw(st.booleans()):
        shape.mapped = draw(st.integers(0, count - 1))
    return shape


def _add(draw: st.DrawFn, shape: FlowShape, kind: str, src: int, dst: int, count: int) -> None:
    if kind == "join":
        others = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=2, unique=True))
        shape.edges.append((kind, (tuple(dict.fromkeys((src, *others))), dst)))
    elif kind == "route":
        more = draw(st.lists(st.one_of(st.none(), st.integers(0, count - 1)), max_size=2))
        shape.edges.append((kind, (src, (dst, *more))))
    else:
        shape.edges.append((kind, (src, dst)))


class Chance:
    """The randomness of one run: conditions, routes and optional outputs draw from it."""

    def __init__(self) -> None:
        self.rng = random.Random(0)


def _selector(chance: Chance, keys: list[str]) -> Any:
    def select(out: Any) -> list[str]:
        return chance.rng.sample(keys, chance.rng.randint(1, len(keys)))

    return select


def build(shape: FlowShape, chance: Chance) -> Any:
    """Real nodes and a real traced flow for `shape` (functions made with exec)."""
    made = []
    for i, spec in enumerate(shape.nodes):
        fields: dict[str, Any] = {k: (int if req else NotRequired[int]) for k, req in spec.outputs}
        namespace: dict[str, Any] = {"Out": TypedDict(f"Out{i}", fields),  # type: ignore[operator]
                                     "chance": chance, "outs": spec.outputs}
        params = [f"{k}: int" for k in spec.required]
        params += [f"{k}: int = 0" for k in spec.optional]
        if shape.mapped == i:
            params.insert(0, "item: int")
        source = (f"def n{i}({', '.join(params)}) -> Out:\n"
                  "    return {k: 1 for k, req in outs if req or chance.rng.random() < 0.5}\n")
        exec(source, namespace)
        made.append(node(namespace[f"n{i}"]))

    def target(i: int) -> Any:
        return each("items", made[i], item="item") if shape.mapped == i else made[i]

    def wire() -> None:
        from liteflow import START

        for i in shape.entries:
            START >> target(i)
        for kind, ends in shape.edges:
            if kind == "plain":
                made[ends[0]] >> target(ends[1])
            elif kind == "when":
                made[ends[0]] >> made[ends[1]].when(lambda out, state: chance.rng.random() < 0.6)
            elif kind == "join":
                [made[p] for p in ends[0]] >> target(ends[1])
            else:
                keys = {f"r{j}": (END if t is None else made[t]) for j, t in enumerate(ends[1])}
                made[ends[0]] >> route(_selector(chance, sorted(keys)), keys)

    params = [f"{k}: int" for k in shape.inputs] + ["items: list[int]"]
    namespace = {"wire": wire}
    exec(f"def body({', '.join(params)}) -> None:\n    wire()\n", namespace)
    return trace(namespace["body"], name="随机流程", output=None, max_supersteps=25,
                 version=None, state=None, check_types=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_shapes(), st.lists(st.integers(0, 10**6), min_size=3, max_size=3))
def test_accepted_flows_never_miss_an_input(shape: FlowShape, seeds: list[int]) -> None:
    chance = Chance()
    with collect_mode():
        decl = build(shape, chance)
        plan, diagnostics = compile_decl(decl)  # must never raise
    assert all(d.message("en") and d.message("zh") for d in diagnostics)
    if plan is None:
        return
    inputs = {k: 1 for k in shape.inputs} | {"items": [1, 2]}
    for seed in seeds:
        chance.rng = random.Random(seed)
        try:
            asyncio.run(PregelRunner(plan).run(inputs))
        except SuperstepLimitError:
            pass  # a loop whose random conditions kept it going: not a data-flow error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_shapes())
def test_one_forward_sweep_finds_the_fixpoint(shape: FlowShape) -> None:
    """Flows whose edges all go forward in declaration order are solved in one sweep; the
    answer must be the greatest fixpoint the general iteration finds."""
    with collect_mode():
        ctx = build_graph(build(shape, Chance()))
    problem = _Problem(ctx)
    fast = problem.solve()
    problem.forward = False
    assert problem.solve() == fast
