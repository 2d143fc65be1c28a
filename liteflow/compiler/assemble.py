"""The last pass: a checked graph → the frozen `Plan` the runner executes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from tenacity import retry_if_exception, stop_after_attempt, wait_exponential

from ..core.errors import NodeTimeoutError, NodeTypeError
from ..core.merge import Merger, UpdateStrategy, merger_for
from ..core.typecheck import describe_type, make_checker
from ..definitions.decl import FlowDecl
from ..definitions.spec import InputSpec, NodeSpec, OutputSpec, Reducer
from ..plan import (
    EMPTY,
    EachPlan,
    FrozenMap,
    JoinGroup,
    Plan,
    PlanEdge,
    PlanInput,
    PlanNode,
    PlanOutput,
    RetryPolicy,
)
from .build import CompileContext

__all__ = ["assemble_plan"]


def assemble_plan(ctx: CompileContext) -> Plan:
    decl = ctx.decl
    names = list(ctx.specs)
    index = {name: i for i, name in enumerate(names)}
    edges, joins = _edges(ctx, index)
    out_edges: list[list[PlanEdge]] = [[] for _ in names]
    for edge in edges:
        out_edges[edge.source].append(edge)
    shared = _Shared()
    specs = ctx.specs
    maps = ctx.decl.maps
    nodes = tuple([
        _plan_node(ctx, i, specs[name], tuple(out_edges[i]), shared,
                   maps.get(name) if maps else None)
        for i, name in enumerate(names)
    ])
    return Plan(
        name=decl.name,
        version=decl.version,
        nodes=nodes,
        index=FrozenMap(index),
        entries=tuple(index[e] for e in ctx.entries if e in index),
        edges=edges,
        joins=joins,
        mergers=FrozenMap(_mergers(ctx)),
        inputs=tuple(_input(i, decl.check_types) for i in decl.inputs),
        outputs=tuple(_output(o, decl.check_types) for o in decl.outputs),
        max_supersteps=decl.max_supersteps,
        file=decl.file,
        line=decl.line,
        warnings=tuple(d for d in ctx.diagnostics if d.severity == "warning"),
        open_inputs=decl.open_inputs,
    )


def _edges(ctx: CompileContext, index: Mapping[str, int]
           ) -> tuple[tuple[PlanEdge, ...], tuple[JoinGroup, ...]]:
    edges: list[PlanEdge] = []
    joins: list[JoinGroup] = []
    for decl in ctx.decl.edges:
        if decl.kind == "plain":  # the common case, kept lean
            if len(decl.targets) == 1:
                targets: tuple[int, ...] = (index[decl.targets[0].name],)
            else:
                targets = tuple([index[t.name] for t in decl.targets])
            for src in decl.sources:
                edges.append(PlanEdge("plain", index[src.name], targets, None, False, EMPTY, -1,
                                      "", decl.file, decl.line))
            continue
        targets = tuple([index[t.name] for t in decl.targets])
        wants_state = _arity(decl.condition) >= 2 if decl.condition is not None else False
        label = _label(decl.condition) if decl.kind == "when" else ""
        if decl.kind == "join":
            group = JoinGroup(len(joins), frozenset(index[s.name] for s in decl.sources),
                              targets[0])
            joins.append(group)
            for src in decl.sources:
                edges.append(PlanEdge("join", index[src.name], targets, join=group.index,
                                      file=decl.file, line=decl.line))
            continue
        route_map: Mapping[str, tuple[int, ...]] = FrozenMap(
            {key: tuple(index[t.name] for t in specs) for key, specs in decl.route_map}
        ) if decl.route_map else EMPTY
        for src in decl.sources:
            edges.append(PlanEdge(decl.kind, index[src.name], targets, decl.condition,
                                  wants_state, route_map, -1, label, decl.file, decl.line))
    return tuple(edges), tuple(joins)


def appends(decl: FlowDecl, out: OutputSpec) -> bool:
    """Whether output key `out` has the APPEND strategy (on the node or the flow's state)."""
    if out.reducer is not None:
        return out.reducer is UpdateStrategy.APPEND
    return any(s.name == out.name and s.reducer is UpdateStrategy.APPEND for s in decl.state)


def _plan_node(ctx: CompileContext, i: int, spec: NodeSpec, out: tuple[PlanEdge, ...],
               shared: _Shared, mapped: tuple[str, str] | None) -> PlanNode:
    config = spec.config
    if mapped is None:
        # Nodes made by one factory share inputs, outputs and config: one shape for all
        # (looked up by identity: hashing the specs would cost more than it saves).
        shape = shared.shapes.get(id(spec.outputs))
        if shape is None or not (shape[0][0] is spec.inputs and shape[0][2] is config
                                 and shape[0][3] is spec.is_async):
            shape = _shape(ctx, spec, shared, None)
            shared.shapes[id(spec.outputs)] = shape
    else:
        shape = _shape(ctx, spec, shared, mapped)
    _, inputs, outputs, required_outputs, retry, fallback_is_async, metadata, simple, each = shape
    if len(out) == 1:  # the common case: one edge out
        edge = out[0]
        edges_want_state = edge.wants_state
        plain_next = None
        if edge.kind == "plain":
            targets = edge.targets
            plain_next = targets if len(targets) < 2 else tuple(sorted(set(targets)))
    else:
        edges_want_state = any(edge.wants_state for edge in out)
        plain_next = None
        if all(edge.kind == "plain" for edge in out):
            plain_next = tuple(sorted({t for edge in out for t in edge.targets}))
    # By position, in field order: matching two dozen keywords would cost more than a
    # tenth of the call.
    return PlanNode(
        i, spec.name, spec.fn, spec.is_async, inputs, spec.context_param, outputs,
        required_outputs, retry, config.timeout, config.fallback, fallback_is_async, out,
        spec.file, spec.line, spec.kind, each, spec.takes_state, spec.open_outputs, metadata,
        simple, edges_want_state, plain_next,
    )


# What a node's plan takes from its inputs, outputs and config (and not its edges); the
# first item keeps the keyed objects alive, so the ids in the key stay unique.
_Shape = tuple[Any, tuple[PlanInput, ...], FrozenMap, tuple[str, ...], RetryPolicy | None, bool,
               Mapping[str, Any], bool, EachPlan | None]


def _shape(ctx: CompileContext, spec: NodeSpec, shared: _Shared,
           mapped: tuple[str, str] | None) -> _Shape:
    config = spec.config
    checks = config.check_types and ctx.decl.check_types
    each = None
    if mapped is not None:
        items_key, item_param = mapped
        item = next(x for x in spec.inputs if x.name == item_param)
        checker = make_checker(item.hint) if checks else None
        each = EachPlan(items_key, item_param, checker, describe_type(item.hint),
                        tuple(o.name for o in spec.outputs if appends(ctx.decl, o)))
        inputs = shared.inputs_of(tuple(x for x in spec.inputs if x.name != item_param), checks)
    else:
        inputs = shared.inputs_of(spec.inputs, checks)
    fallback = config.fallback
    fallback_is_async = fallback is not None and inspect.iscoroutinefunction(fallback)
    outputs, required_outputs = shared.outputs_of(spec.outputs, checks)
    retry = None
    if config.retry_count > 0:
        retry = _retry(config.retry_count, config.retry_delay, config.backoff, config.max_delay,
                       config.retry_on)
    metadata = FrozenMap(dict(config.metadata)) if config.metadata else EMPTY
    simple = (not spec.is_async and config.retry_count == 0 and config.timeout is None
              and not fallback_is_async)
    return ((spec.inputs, spec.outputs, config, spec.is_async), inputs, outputs,
            required_outputs, retry, fallback_is_async, metadata, simple, each)


class _Shared:
    """Equal plan parts are built once per plan and shared: they are immutable, and nodes
    made by one factory (a 2,000-step chain) all declare the same inputs and outputs.

    Such nodes even share their inputs and outputs tuples (see `spec_from_function`), so
    a lookup by identity comes first: it spares hashing every `InputSpec` and `OutputSpec`
    of every node. Those tuples are kept in the entries, so their ids stay unique.
    """

    def __init__(self) -> None:
        self.inputs: dict[tuple[InputSpec, bool], PlanInput] = {}
        self.outputs: dict[tuple[tuple[OutputSpec, ...], bool],
                           tuple[FrozenMap, tuple[str, ...]]] = {}
        self.inputs_by_id: dict[tuple[int, bool],
                                tuple[tuple[InputSpec, ...], tuple[PlanInput, ...]]] = {}
        self.outputs_by_id: dict[tuple[int, bool], tuple[tuple[OutputSpec, ...],
                                                         tuple[FrozenMap, tuple[str, ...]]]] = {}
        self.shapes: dict[int, _Shape] = {}  # by id of the outputs tuple, the last made

    def inputs_of(self, specs: tuple[InputSpec, ...], checks: bool) -> tuple[PlanInput, ...]:
        known = self.inputs_by_id.get((id(specs), checks))
        if known is not None:
            return known[1]
        made = tuple([self.input(x, checks) for x in specs])
        self.inputs_by_id[(id(specs), checks)] = (specs, made)
        return made

    def input(self, spec: InputSpec, checks: bool) -> PlanInput:
        try:
            found = self.inputs.get((spec, checks))
        except TypeError:  # an unhashable default or hint
            return _input(spec, checks)
        if found is None:
            found = self.inputs[(spec, checks)] = _input(spec, checks)
        return found

    def outputs_of(self, specs: tuple[OutputSpec, ...], checks: bool
                   ) -> tuple[FrozenMap, tuple[str, ...]]:
        known = self.outputs_by_id.get((id(specs), checks))
        if known is not None:
            return known[1]
        try:
            found = self.outputs.get((specs, checks))
        except TypeError:
            found = _outputs(specs, checks)
        else:
            if found is None:
                found = self.outputs[(specs, checks)] = _outputs(specs, checks)
        self.outputs_by_id[(id(specs), checks)] = (specs, found)
        return found


def _outputs(specs: tuple[OutputSpec, ...], checks: bool) -> tuple[FrozenMap, tuple[str, ...]]:
    return (FrozenMap({o.name: _output(o, checks) for o in specs}),
            tuple(o.name for o in specs if o.required))


def _input(spec: InputSpec, checks: bool) -> PlanInput:
    return PlanInput(spec.name, spec.name, spec.required,
                     make_checker(spec.hint) if checks else None,
                     _describe(spec.hint), spec.default)


def _output(spec: OutputSpec, checks: bool) -> PlanOutput:
    return PlanOutput(spec.name, spec.required, make_checker(spec.hint) if checks else None,
                      _describe(spec.hint))


def _retry(retries: int, delay: float, backoff: float, max_delay: float,
           retry_on: tuple[type[BaseException], ...]) -> RetryPolicy | None:
    if retries <= 0:
        return None

    def retryable(exc: BaseException) -> bool:
        # Type errors are bugs, not bad luck; a timeout always counts as a failure.
        if isinstance(exc, NodeTypeError):
            return False
        return isinstance(exc, (*retry_on, NodeTimeoutError))

    return RetryPolicy(
        attempts=retries + 1,
        stop=stop_after_attempt(retries + 1),
        wait=wait_exponential(multiplier=delay, exp_base=backoff, max=max_delay),
        retry=retry_if_exception(retryable),
    )


def _mergers(ctx: CompileContext) -> dict[str, Merger]:
    declared: dict[str, Reducer] = {}
    for out in ctx.decl.state:
        if out.reducer is not None:
            declared.setdefault(out.name, out.reducer)
    for spec in ctx.specs.values():
        for out in spec.outputs:
            if out.reducer is not None:
                declared.setdefault(out.name, out.reducer)
    for out in ctx.decl.outputs:
        if out.reducer is not None:
            declared.setdefault(out.name, out.reducer)
    mergers = {}
    for key, reducer in declared.items():
        merger = merger_for(reducer)
        if merger is not None:
            mergers[key] = merger
    return mergers


def _arity(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 2
    return len(positional)


def _label(fn: Callable[..., Any] | None) -> str:
    from .conditions import condition_label

    return condition_label(fn)


@lru_cache(maxsize=4096)
def _describe_cached(hint: Any) -> str:
    return describe_type(hint)


def _describe(hint: Any) -> str:
    try:
        return _describe_cached(hint)
    except TypeError:  # unhashable hint
        return describe_type(hint)
