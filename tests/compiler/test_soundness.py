"""LF101 against the runtime, on random flows run through the public API (`flow.run`).

- Sound: a flow the checker accepts never raises a missing-input error, whatever its
  conditions decide (random flows with cycles, conditions, routes, joins and `each`).
- Exact: on acyclic flows (with joins, routes and conditions) and on small flows with
  loops through joins, every run is tried: a script decides each condition and route
  (`Script`), and the scripts are enumerated. The checker is silent exactly when no run
  misses an input, and every (node, key) it reports is missed by some run. A run is
  observed through a twin of the flow whose required inputs get a marker default, so it
  runs where the original would raise, and each node records the markers it receives.

Examples per property: `LITEFLOW_SOUNDNESS_EXAMPLES` (default 120).
"""

from __future__ import annotations

import inspect
import itertools
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from liteflow import END, START, NodeInputError, SuperstepLimitError, each, flow, node, route
from liteflow.compiler.build import build_graph
from liteflow.compiler.dataflow import _Problem
from liteflow.compiler.diagnostics import collect_mode

KEYS = ("a", "b", "c", "d", "e")
EXAMPLES = int(os.environ.get("LITEFLOW_SOUNDNESS_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


class _Missing:
    """The default a twin's required inputs get: seeing it means the key was missing."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


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
    # `START >> route(...)` to these (None: END), beside the plain entries.
    entry_route: tuple[int | None, ...] = ()
    mapped: int | None = None


def make_node(i: int, shape: NodeShape, *, mapped: bool, write: Callable[[], dict[str, int]],
              seen: list[tuple[str, str]] | None = None) -> Any:
    """A real `@node` for `shape`: its signature is set, as `inspect` honours it."""
    outputs: dict[str, Any] = {k: (int if req else NotRequired[int]) for k, req in shape.outputs}
    out = TypedDict(f"Out{i}", outputs)  # type: ignore[operator]
    required_default = inspect.Parameter.empty if seen is None else MISSING
    params = [inspect.Parameter("item", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=int)] if mapped else []
    params += [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int,
                                 default=required_default) for k in shape.required]
    params += [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=int,
                                 default=0) for k in shape.optional]
    name = f"n{i}"

    def body(**kwargs: Any) -> dict[str, int]:
        if seen is not None:  # an absent key, or one bound to the marker default
            seen.extend((name, key) for key in shape.required
                        if kwargs.get(key, MISSING) is MISSING)
        return write()

    body.__name__ = body.__qualname__ = name
    body.__signature__ = inspect.Signature(params, return_annotation=out)  # type: ignore[attr-defined]
    body.__annotations__ = {p.name: int for p in params} | {"return": out}
    return node(body)


def make_flow(shape: FlowShape, made: list[Any], condition: Callable[[int], Any],
              selector: Callable[[list[str]], Any], *, check_types: bool = True,
              limit: int = 40) -> Any:
    """A real `@flow` wiring `made` as `shape` says; the j-th `.when` is `condition(j)`."""

    def target(i: int) -> Any:
        return each("items", made[i], item="item") if shape.mapped == i else made[i]

    def wire(**_inputs: Any) -> None:
        for i in shape.entries:
            START >> target(i)
        if shape.entry_route:
            keys = {f"s{k}": (END if t is None else target(t))
                    for k, t in enumerate(shape.entry_route)}
            START >> route(selector(sorted(keys)), keys)
        whens = itertools.count()
        for kind, ends in shape.edges:
            if kind == "plain":
                made[ends[0]] >> target(ends[1])
            elif kind == "when":
                made[ends[0]] >> made[ends[1]].when(condition(next(whens)))
            elif kind == "join":
                [made[p] for p in ends[0]] >> target(ends[1])
            else:
                keys = {f"r{k}": (END if t is None else target(t))
                        for k, t in enumerate(ends[1])}
                made[ends[0]] >> route(selector(sorted(keys)), keys)

    names = [*shape.inputs, "items"]
    hints = {k: int for k in shape.inputs} | {"items": list[int]}
    wire.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(k, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=hints[k])
         for k in names], return_annotation=None)
    wire.__annotations__ = {**hints, "return": None}
    return flow(name="随机流程", max_supersteps=limit, check_types=check_types)(wire)


def _keys() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(KEYS), max_size=2, unique=True).map(tuple)


@st.composite
def cyclic_shapes(draw: st.DrawFn) -> FlowShape:
    """Anything: back edges, routes (from START too), joins, `each` (behind routes too),
    optional outputs."""
    count = draw(st.integers(2, 6))
    nodes = []
    for _ in range(count):
        required = draw(_keys()) if draw(st.booleans()) else ()
        optional = tuple(k for k in draw(_keys()) if k not in required)
        outs = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), max_size=3,
                             unique_by=lambda t: t[0]))
        nodes.append(NodeShape(required, optional, tuple(outs)))
    shape = FlowShape(tuple(draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4,
                                          unique=True))), nodes)
    # A backbone keeps most nodes reachable: each node gets an edge from an earlier one.
    for dst in range(1, count):
        kind = draw(st.sampled_from(("plain", "plain", "when", "route", "join")))
        _add(draw, shape, kind, draw(st.integers(0, dst - 1)), dst, count)
    # Then extra edges anywhere: forward edges of any kind, back edges mostly conditional.
    for _ in range(draw(st.integers(0, count))):
        src, dst = draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1))
        kinds = ("plain", "when", "route", "join") if src < dst else (
            "when", "when", "route", "plain")
        _add(draw, shape, draw(st.sampled_from(kinds)), src, dst, count)
    if draw(st.integers(0, 3)):
        shape.entries = (0, *draw(st.lists(st.integers(1, count - 1), max_size=1)))
    if not draw(st.integers(0, 3)):
        shape.entry_route = tuple(draw(st.lists(st.one_of(st.none(), st.integers(0, count - 1)),
                                                min_size=1, max_size=3)))
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


def _written_nodes(draw: st.DrawFn, count: int) -> list[NodeShape]:
    """Nodes whose outputs are all written: what a run defines depends only on its path."""
    nodes = []
    for _ in range(count):
        required = draw(_keys())
        outs = draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True))
        nodes.append(NodeShape(required, (), tuple((k, True) for k in outs)))
    return nodes


def _wire_into(draw: st.DrawFn, shape: FlowShape, dst: int, sources: list[int],
               kinds: tuple[str, ...]) -> None:
    """Edges from `sources` into `dst`: one join of them all, or one edge each."""
    count = len(shape.nodes)
    if len(sources) > 1 and draw(st.integers(0, 2)) == 0:
        shape.edges.append(("join", (tuple(sources), dst)))
        return
    for src in sources:
        kind = draw(st.sampled_from(kinds))
        if kind == "route":
            more = draw(st.lists(st.one_of(st.none(), st.integers(0, count - 1)),
                                 min_size=dst <= src, max_size=2))  # a way out of a loop
            if dst > src:  # keep acyclic flows acyclic
                more = [t for t in more if t is None or t > src]
            shape.edges.append((kind, (src, (dst, *more))))
        else:
            shape.edges.append((kind, (src, dst)))


@st.composite
def acyclic_shapes(draw: st.DrawFn) -> FlowShape:
    """Forward edges only: plain, `.when`, `route` and joins (so fan-ins of unequal depth and
    joins after conditional parents), several entries, every output written."""
    count = draw(st.integers(2, 7))
    shape = FlowShape(tuple(draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True))),
                      _written_nodes(draw, count))
    for dst in range(1, count):
        if draw(st.integers(0, 5)) == 0:
            continue  # another entry
        sources = draw(st.lists(st.integers(0, dst - 1), min_size=1, max_size=3, unique=True))
        _wire_into(draw, shape, dst, sources, ("plain", "plain", "when", "route"))
    if not shape.edges:
        shape.edges.append(("plain", (0, 1)))  # some wiring: an empty flow is LF202
    if not draw(st.integers(0, 3)):  # a conditional entry
        shape.entry_route = tuple(draw(st.lists(st.one_of(st.none(), st.integers(0, count - 1)),
                                                min_size=1, max_size=3)))
    # A map, over an empty list in some runs: a node only ever activated as a target that
    # `target()` wraps (never a `.when` target, never an entry of its own).
    wrapped: set[int] = set()
    plain_only: set[int] = set()
    for kind, ends in shape.edges:
        if kind == "when":
            plain_only.add(ends[1])
        elif kind == "route":
            wrapped.update(t for t in ends[1] if t is not None)
        else:
            wrapped.add(ends[1])
    wrapped.update(t for t in shape.entry_route if t is not None)
    candidates = sorted(wrapped - plain_only)
    if candidates and not draw(st.integers(0, 2)):
        shape.mapped = draw(st.sampled_from(candidates))
    return shape


@st.composite
def looping_shapes(draw: st.DrawFn) -> FlowShape:
    """A forward backbone, then edges back (so joins inside loops, a join whose parent is
    on a loop and another that is not), every output written."""
    count = draw(st.integers(2, 5))
    shape = FlowShape(tuple(draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True))),
                      _written_nodes(draw, count), entries=(0,))
    for dst in range(1, count):
        sources = draw(st.lists(st.integers(0, dst - 1), min_size=1, max_size=2, unique=True))
        _wire_into(draw, shape, dst, sources, ("plain", "plain", "when", "route"))
    for _ in range(draw(st.integers(1, 2))):
        dst = draw(st.integers(0, count - 1))
        sources = draw(st.lists(st.integers(dst, count - 1), min_size=1, max_size=2,
                                unique=True))
        _wire_into(draw, shape, dst, sources, ("when", "when", "route"))
    return shape


class Script:
    """Decides every condition of a run from a list of choices (0 once it runs out), and
    enumerates the lists so that every run of a flow is tried once."""

    def __init__(self) -> None:
        self.prefix: list[int] = []
        self.taken: list[tuple[int, int]] = []  # (choice, number of possible choices)

    def decide(self, options: int) -> int:
        at = len(self.taken)
        choice = self.prefix[at] if at < len(self.prefix) else 0
        self.taken.append((choice, options))
        return choice

    def condition(self, _j: int) -> Any:
        return lambda out: self.decide(2) == 1

    def selector(self, keys: list[str]) -> Any:
        def select(out: Any) -> list[str]:  # any non-empty set of keys
            chosen = self.decide(2 ** len(keys) - 1) + 1
            return [k for b, k in enumerate(keys) if chosen >> b & 1]

        return select

    def every_run(self, run: Callable[[], None], budget: int) -> bool:
        """Call `run` once per possible run (False if there are more than `budget`)."""
        todo: list[list[int]] = [[]]
        while todo:
            if budget == 0:
                return False
            budget -= 1
            self.prefix, self.taken = todo.pop(), []
            run()
            for at in range(len(self.prefix), len(self.taken)):
                made = [choice for choice, _ in self.taken[:at]]
                todo.extend([*made, other] for other in range(1, self.taken[at][1]))
        return True


def _lf101(made: Any) -> set[tuple[str, str]]:
    return {(d.node, d.fields["key"]) for d in made.diagnostics if d.code == "LF101"}


@SETTINGS
@given(cyclic_shapes(), st.lists(st.integers(0, 10**6), min_size=3, max_size=3))
def test_accepted_flows_never_miss_an_input(shape: FlowShape, seeds: list[int]) -> None:
    rng = random.Random(0)

    def write(outs: tuple[tuple[str, bool], ...]) -> Callable[[], dict[str, int]]:
        return lambda: {k: 1 for k, req in outs if req or rng.random() < 0.5}

    def condition(_j: int) -> Any:
        return lambda out, state: rng.random() < 0.6

    def selector(keys: list[str]) -> Any:
        return lambda out: rng.sample(keys, rng.randint(1, len(keys)))

    made = [make_node(i, s, mapped=shape.mapped == i, write=write(s.outputs))
            for i, s in enumerate(shape.nodes)]
    with collect_mode():
        checked = make_flow(shape, made, condition, selector)  # must never raise
    assert all(d.message("en") and d.message("zh") for d in checked.diagnostics)
    if any(d.severity == "error" for d in checked.diagnostics):
        return
    for seed in seeds:
        rng.seed(seed)
        # An empty list runs nothing behind the map: what is accepted must hold then too.
        inputs = {k: 1 for k in shape.inputs} | {"items": [1, 2] if seed % 3 else []}
        try:
            checked.run(**inputs)
        except SuperstepLimitError:
            pass  # a loop whose random conditions kept it going: not a data-flow error


def _exactly_when_missed(shape: FlowShape, limit: int, budget: int, *, confirm: bool) -> None:
    """Every run of `shape` (up to `limit` supersteps) is tried on a twin that records
    what is missed: LF101 must name exactly that. With `confirm`, a flow without LF101
    also runs each time itself and must never fail."""
    script = Script()

    def writer(outs: tuple[tuple[str, bool], ...]) -> Callable[[], dict[str, int]]:
        return lambda: {k: 1 for k, _ in outs}

    made = [make_node(i, s, mapped=shape.mapped == i, write=writer(s.outputs))
            for i, s in enumerate(shape.nodes)]
    seen: list[tuple[str, str]] = []
    twins = [make_node(i, s, mapped=shape.mapped == i, write=writer(s.outputs), seen=seen)
             for i, s in enumerate(shape.nodes)]
    with collect_mode():
        checked = make_flow(shape, made, script.condition, script.selector, limit=limit)
        twin = make_flow(shape, twins, script.condition, script.selector, check_types=False,
                         limit=limit)
    errors = [d for d in checked.diagnostics if d.severity == "error"]
    assume(all(d.code == "LF101" for d in errors))  # not an endless loop (LF203)
    assert not [d for d in twin.diagnostics if d.severity == "error"]
    # Runs are cut at `limit`: a miss the checker finds only later cannot be seen.
    assume(all(d.fields["path"].count("→") <= limit for d in errors))
    reported = _lf101(checked)
    inputs: dict[str, Any] = {}

    def run() -> None:
        try:
            twin.run(**inputs)
        except SuperstepLimitError:
            pass
        if reported or not confirm:
            return
        script.taken = []  # the same decisions again, on the flow itself
        try:
            checked.run(**inputs)
        except SuperstepLimitError:
            pass
        except NodeInputError as exc:  # pragma: no cover - the property failing
            raise AssertionError(f"accepted, yet a run misses an input: {exc}") from exc

    # A map over an empty list runs nothing behind it: both kinds of run are tried.
    for items in ([], [1]) if shape.mapped is not None else ([],):
        inputs = {k: 1 for k in shape.inputs} | {"items": items}
        assume(script.every_run(run, budget))
    assert reported == set(seen)


def _node(required: str = "", outputs: str = "") -> NodeShape:
    return NodeShape(tuple(required), (), tuple((k, True) for k in outputs))


@SETTINGS
@example(FlowShape((), [_node(), _node(), _node(), _node(), _node(outputs="c"), _node(),
                        _node("c")],  # a join of unequal depth, read two steps later
                   [("plain", (0, 1)), ("plain", (0, 2)), ("plain", (2, 3)),
                    ("join", ((1, 3), 4)), ("plain", (3, 5)), ("plain", (5, 6))]))
@example(FlowShape((), [_node(), _node(outputs="a"), _node(), _node(outputs="b"), _node(),
                        _node("ab")],  # a join after a conditional parent
                   [("when", (0, 1)), ("plain", (0, 2)), ("join", ((1, 2), 3)),
                    ("plain", (2, 4)), ("plain", (4, 5))]))
@example(FlowShape((), [_node(), _node(), _node(), _node(outputs="a"), _node("a")],
                   [("plain", (0, 1)), ("route", (0, (3,))), ("plain", (1, 4))]))
@given(acyclic_shapes())
def test_lf101_is_reported_exactly_when_some_run_misses_an_input(shape: FlowShape) -> None:
    _exactly_when_missed(shape, 40, 400, confirm=True)


@settings(SETTINGS, max_examples=max(EXAMPLES // 4, 1))  # each tries up to 100 runs
@example(FlowShape((), [_node(), _node(), _node(), _node(), _node(outputs="c"), _node(),
                        _node("c")],  # a join of unequal depth inside a loop
                   [("plain", (0, 1)), ("plain", (0, 2)), ("plain", (2, 3)),
                    ("join", ((1, 3), 4)), ("plain", (3, 5)), ("plain", (5, 6)),
                    ("when", (6, 0))], entries=(0,)))
@example(FlowShape((), [_node(outputs="a"), _node(), _node(), _node("ab", "b")],
                   # a join that is also its own parent, in a loop
                   [("plain", (0, 1)), ("plain", (0, 2)), ("plain", (2, 3)),
                    ("join", ((1, 3), 3)), ("when", (3, 1)), ("when", (3, 2))], entries=(0,)))
@given(looping_shapes())
def test_lf101_is_exact_on_loops_through_joins(shape: FlowShape) -> None:
    _exactly_when_missed(shape, 6, 100, confirm=False)


@SETTINGS
@given(cyclic_shapes())
def test_one_forward_sweep_finds_the_fixpoint(shape: FlowShape) -> None:
    """Flows whose edges all go forward in declaration order are solved in one sweep; the
    answer must be the greatest fixpoint the general iteration finds."""
    made = [make_node(i, s, mapped=shape.mapped == i, write=dict)
            for i, s in enumerate(shape.nodes)]
    with collect_mode():
        checked = make_flow(shape, made, lambda j: (lambda out: True),
                            lambda keys: (lambda out: keys[0]))
    problem = _Problem(build_graph(checked.decl))
    fast = problem.solve()
    problem.forward = False
    assert problem.solve() == fast
