"""Key bookkeeping: outputs never produced (LF103), conflicting merge strategies
(LF104), outputs nobody reads (LF302)."""

from __future__ import annotations

from ..core.merge import UpdateStrategy
from ..definitions.spec import Reducer
from .build import CompileContext, suggestion
from .conditions import string_constants

__all__ = ["check_flow_outputs", "check_strategies", "check_unread_outputs", "reducer_name"]


def reducer_name(reducer: Reducer) -> str:
    """`APPEND`, or a custom reducer's function name."""
    if isinstance(reducer, UpdateStrategy):
        return reducer.name
    return getattr(reducer, "__qualname__", None) or repr(reducer)


def check_flow_outputs(ctx: CompileContext) -> None:
    """LF103: each of the flow's output keys is produced by some node or is an input."""
    if ctx.open_writers or not ctx.specs:
        return
    inputs = {i.name for i in ctx.decl.inputs}
    produced = ctx.producers
    for out in ctx.decl.outputs:
        if out.name in produced or out.name in inputs:
            continue
        ctx.report("LF103", "check.output_never_produced", key=out.name,
                   hint=suggestion(out.name, [*produced, *inputs]))


def check_strategies(ctx: CompileContext) -> None:
    """LF104: all declarations of one key's merge strategy must agree."""
    first: dict[str, tuple[str, Reducer]] = {}
    for who, key, reducer in ctx.strategy_declarations():
        known = first.setdefault(key, (who, reducer))
        if not _same(known[1], reducer):
            ctx.report("LF104", "check.strategy_conflict", node=who, key=key, first=known[0],
                       a=reducer_name(known[1]), b=reducer_name(reducer))


def _same(a: Reducer, b: Reducer) -> bool:
    return a is b or a == b


def check_unread_outputs(ctx: CompileContext) -> None:
    """LF302 (warning): an output no node reads, no condition mentions, and the flow
    does not return is most likely a leftover or a misspelt key."""
    if any(spec.takes_state for spec in ctx.specs.values()):
        return
    read: set[str] = {o.name for o in ctx.decl.outputs} | {o.name for o in ctx.decl.state}
    for spec in ctx.specs.values():
        read.update([i.name for i in spec.inputs])
    for items_key, _item in ctx.decl.maps.values():
        read.add(items_key)
    for edge in ctx.decl.edges:
        if edge.condition is not None:
            mentioned = string_constants(edge.condition)
            if mentioned is None:
                return  # an opaque condition could read any key
            read |= mentioned
    reached = ctx.reached
    for name, spec in ctx.specs.items():
        if name not in reached or spec.problems:
            continue
        for key in [out.name for out in spec.outputs if out.name not in read]:
            ctx.report("LF302", "check.unread_output", node=name, key=key)
