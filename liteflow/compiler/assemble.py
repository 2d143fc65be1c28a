"""The last pass: a checked graph → the frozen `Plan` the runner executes."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from tenacity import retry_if_exception, stop_after_attempt, wait_exponential, wait_random

from ..core.cache import CachePolicy
from ..core.errors import NodeTimeoutError, NodeTypeError
from ..core.merge import Merger, merger_for
from ..core.typecheck import describe_type, make_checker
from ..definitions.spec import InputSpec, NodeSpec, OutputSpec
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
    RetryPredicateFailed,
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
    specs = ctx.specs
    maps = ctx.decl.maps
    parts = _Parts(decl.check_types)
    mapped = frozenset(index[name] for name in maps if name in index)
    nodes = tuple([_plan_node(ctx, i, specs[name], tuple(out_edges[i]), maps.get(name), parts,
                              mapped)
                   for i, name in enumerate(names)])
    return Plan(
        name=decl.name,
        version=decl.version,
        nodes=nodes,
        index=FrozenMap(index),
        entries=tuple(index[e] for e in ctx.sure_entries if e in index),
        edges=edges,
        joins=joins,
        mergers=FrozenMap(_mergers(ctx)),
        inputs=tuple(_input(i, decl.check_types) for i in decl.inputs),
        outputs=tuple(_output(o, decl.check_types) for o in decl.outputs),
        max_supersteps=decl.max_supersteps,
        file=decl.file,
        line=decl.line,
        warnings=tuple(d for d in ctx.diagnostics if d.severity == "warning"),
        open_inputs=decl.kind == "builder",
        entry_edges=_entry_edges(ctx, index),
        mapped=mapped,
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
                edges.append(PlanEdge(kind="plain", source=index[src.name], targets=targets,
                                      file=decl.file, line=decl.line))
            continue
        targets = tuple([index[t.name] for t in decl.targets])
        wants_state = _arity(decl.condition) >= 2 if decl.condition is not None else False
        label = _label(decl.condition) if decl.kind == "when" else ""
        if decl.kind == "join":
            group = JoinGroup(index=len(joins),
                              parents=frozenset(index[s.name] for s in decl.sources),
                              target=targets[0])
            joins.append(group)
            for src in decl.sources:
                edges.append(PlanEdge(kind="join", source=index[src.name], targets=targets,
                                      join=group.index, file=decl.file, line=decl.line))
            continue
        route_map: Mapping[str, tuple[int, ...]] = FrozenMap(
            {key: tuple(index[t.name] for t in specs) for key, specs in decl.route_map}
        ) if decl.route_map else EMPTY
        for src in decl.sources:
            edges.append(PlanEdge(kind=decl.kind, source=index[src.name], targets=targets,
                                  condition=decl.condition, wants_state=wants_state,
                                  route_map=route_map, label=label, file=decl.file,
                                  line=decl.line))
    return tuple(edges), tuple(joins)


def _entry_edges(ctx: CompileContext, index: Mapping[str, int]) -> tuple[PlanEdge, ...]:
    """The conditional edges from START (source -1): they see the flow's inputs."""
    found = []
    for decl in ctx.decl.entry_edges:
        if decl.condition is None:
            continue
        route_map: Mapping[str, tuple[int, ...]] = FrozenMap(
            {key: tuple(index[t.name] for t in specs) for key, specs in decl.route_map}
        ) if decl.route_map else EMPTY
        found.append(PlanEdge(kind=decl.kind, source=-1,
                              targets=tuple(index[t.name] for t in decl.targets),
                              condition=decl.condition, wants_state=_arity(decl.condition) >= 2,
                              route_map=route_map,
                              label=_label(decl.condition) if decl.kind == "when" else "",
                              file=decl.file, line=decl.line))
    return tuple(found)


class _Parts:
    """Plan inputs and outputs, each made once per plan: nodes often read and write the
    same key with the same type, and the parts are immutable. Keyed by value (an input
    with a default is never shared: 1 and True are equal keys)."""

    def __init__(self, checks: bool) -> None:
        self.checks = checks
        self.inputs: dict[tuple[str, Any, bool], PlanInput] = {}
        self.outputs: dict[tuple[tuple[str, Any, bool], ...], FrozenMap] = {}

    def input(self, spec: InputSpec, checks: bool) -> PlanInput:
        if spec.default is not None or checks is not self.checks:
            return _input(spec, checks)
        key = (spec.name, spec.hint, spec.required)
        try:
            found = self.inputs.get(key)
        except TypeError:  # an unhashable hint
            return _input(spec, checks)
        if found is None:
            found = self.inputs[key] = _input(spec, checks)
        return found

    def output_map(self, specs: tuple[OutputSpec, ...], checks: bool) -> FrozenMap:
        if checks is not self.checks:
            return FrozenMap({o.name: _output(o, checks) for o in specs})
        key = tuple([(o.name, o.hint, o.required) for o in specs])
        try:
            found = self.outputs.get(key)
        except TypeError:
            return FrozenMap({o.name: _output(o, checks) for o in specs})
        if found is None:
            found = self.outputs[key] = FrozenMap({o.name: _output(o, checks) for o in specs})
        return found


def _plan_node(ctx: CompileContext, i: int, spec: NodeSpec, out: tuple[PlanEdge, ...],
               mapped: tuple[str, str] | None, parts: _Parts,
               maps: frozenset[int]) -> PlanNode:
    config = spec.config
    checks = config.check_types and ctx.decl.check_types
    each = None
    inputs = spec.inputs
    if mapped is not None:
        items_key, item_param = mapped
        item = next(x for x in spec.inputs if x.name == item_param)
        each = EachPlan(items_key, item_param, make_checker(item.hint) if checks else None,
                        describe_type(item.hint), item_hint=item.hint)
        inputs = tuple(x for x in spec.inputs if x.name != item_param)
    fallback = config.fallback
    fallback_is_async = fallback is not None and inspect.iscoroutinefunction(fallback)
    retry = None
    if config.retry_count > 0:
        retry = _retry(config.retry_count, config.retry_delay, config.backoff, config.max_delay,
                       config.retry_on, config.jitter)
    plain_next: tuple[int, ...] | None = None
    if len(out) == 1:  # the common case: one edge out
        edge = out[0]
        edges_want_state = edge.wants_state
        if edge.kind == "plain":
            targets = edge.targets
            plain_next = targets if len(targets) < 2 else tuple(sorted(set(targets)))
    else:
        edges_want_state = any([edge.wants_state for edge in out])
        if all([edge.kind == "plain" for edge in out]):
            plain_next = tuple(sorted({t for edge in out for t in edge.targets}))
    if plain_next is not None and maps and any(t in maps for t in plain_next):
        plain_next = None  # a map over an empty list is skipped: `next_active` decides
    return PlanNode(
        index=i,
        name=spec.name,
        fn=spec.fn,
        is_async=spec.is_async,
        inputs=tuple([parts.input(x, checks) for x in inputs]),
        context_param=spec.context_param,
        outputs=parts.output_map(spec.outputs, checks),
        required_outputs=tuple([o.name for o in spec.outputs if o.required]),
        retry=retry,
        timeout=config.timeout,
        fallback=fallback,
        fallback_is_async=fallback_is_async,
        out_edges=out,
        file=spec.file,
        line=spec.line,
        kind=spec.kind,
        each=each,
        takes_state=spec.takes_state,
        open_outputs=spec.open_outputs,
        metadata=FrozenMap(dict(config.metadata)) if config.metadata else EMPTY,
        # Sync, no retry, no timeout: called inline without any awaiting.
        simple=(not spec.is_async and config.retry_count == 0 and config.timeout is None
                and not fallback_is_async),
        edges_want_state=edges_want_state,
        plain_next=plain_next,
        cache=config.cache if isinstance(config.cache, CachePolicy) else None,
    )


def _input(spec: InputSpec, checks: bool) -> PlanInput:
    return PlanInput(key=spec.name, param=spec.name, required=spec.required,
                     check=make_checker(spec.hint) if checks else None,
                     type_name=_describe(spec.hint), default=spec.default, hint=spec.hint)


def _output(spec: OutputSpec, checks: bool) -> PlanOutput:
    return PlanOutput(key=spec.name, required=spec.required,
                      check=make_checker(spec.hint) if checks else None,
                      type_name=_describe(spec.hint), hint=spec.hint)


def _retry(retries: int, delay: float, backoff: float, max_delay: float,
           retry_on: Any, jitter: float = 0.0) -> RetryPolicy | None:
    if retries <= 0:
        return None
    types: tuple[type[BaseException], ...] = retry_on if isinstance(retry_on, tuple) else ()
    predicate: Callable[[Exception], Any] | None = None if isinstance(retry_on, tuple) \
        else retry_on

    def retryable(exc: BaseException) -> bool:
        # Only failures: an interrupt (a person is asked) or a cancellation is never
        # retried, nor shown to the predicate. Type errors are bugs, not bad luck; a
        # timeout always counts as a failure.
        if not isinstance(exc, Exception) or isinstance(exc, NodeTypeError):
            return False
        if isinstance(exc, NodeTimeoutError):
            return True
        if predicate is None:
            return isinstance(exc, types)
        try:
            return bool(predicate(exc))
        except Exception as bad:
            raise RetryPredicateFailed(bad, exc) from bad

    wait: Any = wait_exponential(multiplier=delay, exp_base=backoff, max=max_delay)
    if jitter > 0:
        wait = wait + wait_random(0, jitter)
    return RetryPolicy(
        attempts=retries + 1,
        stop=stop_after_attempt(retries + 1),
        wait=wait,
        retry=retry_if_exception(retryable),
    )


def _mergers(ctx: CompileContext) -> dict[str, Merger]:
    mergers = {}
    for key, reducer in ctx.reducers.items():
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
