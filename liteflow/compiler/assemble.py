"""The last pass: a checked graph → the frozen `Plan` the runner executes."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from tenacity import retry_if_exception, stop_after_attempt, wait_exponential

from ..core.errors import NodeTimeoutError, NodeTypeError
from ..core.merge import Merger, merger_for
from ..core.typecheck import describe_type, make_checker
from ..definitions.spec import InputSpec, NodeSpec, OutputSpec, Reducer
from ..plan import (
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
    out_edges: dict[int, list[PlanEdge]] = {i: [] for i in range(len(names))}
    for edge in edges:
        out_edges[edge.source].append(edge)
    nodes = tuple(
        _plan_node(ctx, i, ctx.specs[name], tuple(out_edges[i])) for i, name in enumerate(names)
    )
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
        fingerprint=_fingerprint(ctx),
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
        targets = tuple(index[t.name] for t in decl.targets)
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
        )
        for src in decl.sources:
            edges.append(PlanEdge(decl.kind, index[src.name], targets, decl.condition,
                                  wants_state, route_map, -1, label, decl.file, decl.line))
    return tuple(edges), tuple(joins)


def _plan_node(ctx: CompileContext, i: int, spec: NodeSpec, out: tuple[PlanEdge, ...]
               ) -> PlanNode:
    checks = spec.config.check_types and ctx.decl.check_types
    config = spec.config
    each = None
    mapped = ctx.decl.maps.get(spec.name)
    inputs = spec.inputs
    if mapped is not None:
        items_key, item_param = mapped
        item = next(x for x in spec.inputs if x.name == item_param)
        checker = make_checker(item.hint) if checks else None
        each = EachPlan(items_key, item_param, checker, describe_type(item.hint))
        inputs = tuple(x for x in spec.inputs if x.name != item_param)
    fallback = config.fallback
    return PlanNode(
        index=i,
        name=spec.name,
        fn=spec.fn,
        is_async=spec.is_async,
        inputs=tuple(_input(x, checks) for x in inputs),
        context_param=spec.context_param,
        outputs=FrozenMap({o.name: _output(o, checks) for o in spec.outputs}),
        required_outputs=tuple(o.name for o in spec.outputs if o.required),
        retry=_retry(config.retry_count, config.retry_delay, config.backoff, config.max_delay,
                     config.retry_on),
        timeout=config.timeout,
        fallback=fallback,
        fallback_is_async=fallback is not None and inspect.iscoroutinefunction(fallback),
        out_edges=out,
        file=spec.file,
        line=spec.line,
        kind=spec.kind,
        each=each,
        takes_state=spec.takes_state,
        open_outputs=spec.open_outputs,
        metadata=FrozenMap(dict(config.metadata)),
        simple=(not spec.is_async and config.retry_count == 0 and config.timeout is None
                and not (fallback is not None and inspect.iscoroutinefunction(fallback))),
        edges_want_state=any(e.wants_state for e in out),
    )


def _input(spec: InputSpec, checks: bool) -> PlanInput:
    return PlanInput(spec.name, spec.name, spec.required,
                     make_checker(spec.hint) if checks else None,
                     describe_type(spec.hint), spec.default)


def _output(spec: OutputSpec, checks: bool) -> PlanOutput:
    return PlanOutput(spec.name, spec.required, make_checker(spec.hint) if checks else None,
                      describe_type(spec.hint))


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
    if fn is None:
        return ""
    name = getattr(fn, "__name__", "")
    return "when" if not name or name == "<lambda>" else name


def _code_hash(fn: Any, h: Any) -> None:
    target = inspect.unwrap(fn) if callable(fn) else fn
    code = getattr(target, "__code__", None)
    if code is not None:
        h.update(code.co_code)
        h.update(repr(code.co_consts).encode())
    else:
        h.update(repr(type(fn)).encode())


def _fingerprint(ctx: CompileContext) -> str:
    """A content hash of the flow: names, keys, types, strategies, wiring and code."""
    h = hashlib.sha256()
    decl = ctx.decl
    h.update(f"{decl.name}|{decl.version}".encode())
    for spec in ctx.specs.values():
        h.update(f"N|{spec.name}|{spec.kind}".encode())
        for i in spec.inputs:
            h.update(f"I|{i.name}|{describe_type(i.hint)}|{i.required}".encode())
        for o in spec.outputs:
            h.update(f"O|{o.name}|{describe_type(o.hint)}|{o.required}|{o.reducer!r}".encode())
        _code_hash(spec.fn, h)
    for edge in decl.edges:
        h.update(f"E|{edge.kind}|{[s.name for s in edge.sources]}|"
                 f"{[t.name for t in edge.targets]}|{[k for k, _ in edge.route_map]}".encode())
        if edge.condition is not None:
            _code_hash(edge.condition, h)
    h.update(f"S|{ctx.entries}|{sorted(decl.maps.items())}".encode())
    return h.hexdigest()[:16]
