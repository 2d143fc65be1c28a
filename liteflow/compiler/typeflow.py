"""Types along the data flow: producer → consumer (LF102), fallbacks against their
node (LF100, LF102), and `each` over a sequence of fitting elements (LF105)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from ..core.typecheck import describe_type
from ..definitions.spec import NodeSpec
from ..definitions.wiring import EdgeDecl
from .build import CompileContext
from .compat import element_type, is_compatible, is_iterable_hint

__all__ = ["check_each", "check_fallbacks", "check_types"]


class _ByHint:
    """Groups (hint, owner) pairs by hint, so 2,000 nodes sharing a type cost one check."""

    def __init__(self) -> None:
        self.groups: dict[Any, tuple[Any, list[str]]] = {}

    def owners(self, hint: Any) -> list[str]:
        """The list the owners of `hint` go to."""
        try:
            slot = self.groups.setdefault(hint, (hint, []))
        except TypeError:  # unhashable hint
            slot = self.groups.setdefault(id(hint), (hint, []))
        return slot[1]

    def __iter__(self) -> Iterator[tuple[Any, list[str]]]:
        return iter(self.groups.values())


def check_types(ctx: CompileContext) -> None:
    """LF102: a value a producer may write must fit every consumer of the key."""
    consumers: dict[str, _ByHint] = {}
    maps = ctx.decl.maps
    for spec in ctx.specs.values():
        if spec.problems or spec.takes_state:
            continue
        mapped = maps.get(spec.name)
        item = mapped[1] if mapped is not None else None  # from the element, not the state
        for inp in spec.inputs:
            if inp.name != item:
                by_hint = consumers.get(inp.name)
                if by_hint is None:
                    by_hint = consumers[inp.name] = _ByHint()
                by_hint.owners(inp.hint).append(spec.name)
    flow_inputs = {i.name: i.hint for i in ctx.decl.inputs}
    for key, by_hint in consumers.items():
        producers = _ByHint()
        last: Any = producers  # no hint is this object
        names: list[str] = []
        for spec, out in ctx.producers.get(key, ()):
            if not spec.problems:
                if out.hint is not last:  # consecutive producers mostly share the hint
                    last, names = out.hint, producers.owners(out.hint)
                names.append(spec.name)
        for expected, readers in by_hint:
            if key in flow_inputs and not is_compatible(flow_inputs[key], expected):
                for node in readers:
                    ctx.report("LF102", "check.type_mismatch_input", node=node, key=key,
                               produced=describe_type(flow_inputs[key]),
                               expected=describe_type(expected))
            for produced, writers in producers:
                if is_compatible(produced, expected):
                    continue
                for node in readers:
                    ctx.report("LF102", "check.type_mismatch", node=node, key=key,
                               producer=writers[0], produced=describe_type(produced),
                               expected=describe_type(expected))
    for out in ctx.decl.outputs:
        for spec, produced in ctx.producers.get(out.name, ()):
            if not spec.problems and not is_compatible(produced.hint, out.hint):
                ctx.report("LF102", "check.type_mismatch_output", node=spec.name, key=out.name,
                           produced=describe_type(produced.hint),
                           expected=describe_type(out.hint))


def check_each(ctx: CompileContext) -> None:
    """LF105: `each` maps over a sequence whose elements fit the item parameter."""
    flow_inputs = {i.name: i.hint for i in ctx.decl.inputs}
    for worker, (items_key, item_param) in ctx.decl.maps.items():
        spec = ctx.specs.get(worker)
        if spec is None or spec.problems:
            continue
        item_hint = next((i.hint for i in spec.inputs if i.name == item_param), Any)
        edge = _each_edge(ctx, spec)
        hints = [flow_inputs[items_key]] if items_key in flow_inputs else []
        hints += [out.hint for p, out in ctx.producers.get(items_key, ()) if not p.problems]
        for hint in hints:
            if is_iterable_hint(hint) is False:
                _report_each(ctx, edge, "check.each_not_sequence", node=worker, key=items_key,
                             type=describe_type(hint))
                continue
            element = element_type(hint)
            if not is_compatible(element, item_hint):
                _report_each(ctx, edge, "check.each_item_type", node=worker, key=items_key,
                             item=item_param, produced=describe_type(element),
                             expected=describe_type(item_hint))


def _report_each(ctx: CompileContext, edge: EdgeDecl | None, msg_id: str, *, node: str,
                 **fields: Any) -> None:
    """At the `each(...)` wiring line, or the worker's `def` when none was recorded."""
    if edge is not None:
        ctx.report_at_edge("LF105", msg_id, edge, node=node, **fields)
    else:
        ctx.report("LF105", msg_id, node=node, **fields)


def _each_edge(ctx: CompileContext, spec: NodeSpec) -> EdgeDecl | None:
    """The wiring line of an `each(...)`: the first edge into its worker."""
    for edge in ctx.decl.edges:
        if any(t is spec for t in edge.targets):
            return edge
    return None


def check_fallbacks(ctx: CompileContext) -> None:
    """A fallback is called like its node (plus `error`) and stands in for its outputs."""
    for spec in ctx.specs.values():
        fallback = spec.config.fallback
        if fallback is None or spec.problems:
            continue
        _check_fallback_params(ctx, spec, fallback)
        if spec.fallback_spec is not None and not spec.open_outputs:
            _check_fallback_outputs(ctx, spec, spec.fallback_spec)


def _where(fallback_spec: NodeSpec | None) -> dict[str, Any]:
    if fallback_spec is None or fallback_spec.line == 0:
        return {}
    from ..core.diagnostics import def_position

    line, _ = def_position(fallback_spec.file, fallback_spec.line)
    return {"file": fallback_spec.file, "line": line}


def _check_fallback_params(ctx: CompileContext, spec: NodeSpec, fallback: Any) -> None:
    try:
        params = inspect.signature(fallback).parameters
    except (TypeError, ValueError):
        return
    name = spec.fallback_spec.name if spec.fallback_spec else repr(fallback)
    name = getattr(fallback, "__name__", name)
    where = _where(spec.fallback_spec)
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    passed = [*spec.input_names, "error"]
    always = {i.name for i in spec.inputs if i.required} | {"error"}
    mapped = ctx.decl.maps.get(spec.name)
    if mapped is not None:
        always.add(mapped[1])
    if not takes_any:
        for key in passed:
            if key not in params:
                ctx.report("LF100", "check.fallback_param", node=spec.name, fallback=name,
                           param=key, **where)
    for param in params.values():
        if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        if param.default is param.empty and param.name not in always:
            ctx.report("LF100", "check.fallback_extra_param", node=spec.name, fallback=name,
                       param=param.name, **where)


def _check_fallback_outputs(ctx: CompileContext, spec: NodeSpec, fb: NodeSpec) -> None:
    annotations = getattr(inspect.unwrap(fb.fn), "__annotations__", {})
    if "return" not in annotations or any(p.msg_id != "problem.var_args"
                                          for p in fb.problems):
        return  # nothing declared (e.g. a lambda): the runtime checks what it returns
    name = getattr(fb.fn, "__name__", fb.name)
    where = _where(fb)
    theirs = {o.name: o for o in fb.outputs}
    ours = {o.name: o for o in spec.outputs}
    for key, out in ours.items():
        other = theirs.get(key)
        if out.required and (other is None or not other.required):
            ctx.report("LF102", "check.fallback_missing_key", node=spec.name, fallback=name,
                       key=key, **where)
        elif other is not None and not is_compatible(other.hint, out.hint):
            ctx.report("LF102", "check.fallback_type", node=spec.name, fallback=name, key=key,
                       produced=describe_type(other.hint), expected=describe_type(out.hint),
                       **where)
    for key in theirs:
        if key not in ours:
            ctx.report("LF102", "check.fallback_extra_key", node=spec.name, fallback=name,
                       key=key, **where)
