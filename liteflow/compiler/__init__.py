"""Declarations → checked graph → `Plan`.

The compiler is a sequence of passes over one networkx graph. Each pass reads the
`CompileContext` and reports diagnostics; structural errors stop before the plan is
assembled, since a plan of a broken graph would mean nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import networkx as nx

from ..core.diagnostics import CODES, Diagnostic, collect_mode, collecting
from ..core.errors import FlowCompileError
from ..definitions.decl import FlowDecl
from ..plan import Plan
from .build import CompileContext, Way, build_graph
from .concurrency import check_joins, check_parallel_writes
from .conditions import check_conditions
from .dataflow import check_dataflow
from .keys import check_flow_outputs, check_strategies, check_unread_outputs
from .structure import check_cycles, check_reachability, check_signatures
from .typeflow import check_each, check_fallbacks, check_types

__all__ = [
    "CODES",
    "PASSES",
    "Diagnostic",
    "collect_mode",
    "compile_decl",
    "compile_flow",
    "gc_paused",
    "graph_of",
]

Pass = Callable[[CompileContext], None]

# Every pass runs, so one compile reports every problem. The semantic passes skip what
# the structural ones already reported (nodes with LF100 problems, unknown or unreachable
# nodes) instead of piling consequences on top. Any error means no plan is assembled.
PASSES: Sequence[Pass] = (
    check_signatures,     # LF100
    check_reachability,   # LF202
    check_cycles,         # LF203
    check_dataflow,       # LF101
    check_conditions,     # LF101 (condition reads), LF201 (route keys)
    check_types,          # LF102
    check_fallbacks,      # LF100, LF102
    check_each,           # LF105
    check_flow_outputs,   # LF103
    check_strategies,     # LF104
    check_joins,          # LF204
    check_parallel_writes,  # LF301
    check_unread_outputs,   # LF302
)


def compile_decl(decl: FlowDecl) -> tuple[Plan | None, list[Diagnostic]]:
    """Run every pass; the plan is None when an error was found."""
    from .assemble import assemble_plan

    with gc_paused():
        ctx = build_graph(decl)
        for check in PASSES:
            check(ctx)
        if ctx.has_errors:
            return None, ctx.diagnostics
        return assemble_plan(ctx), ctx.diagnostics


def graph_of(decl: FlowDecl) -> nx.DiGraph[str]:
    """The compiler's graph of `decl`, as a copy the caller may change.

    The graph attribute `entries` lists the entry nodes (also those behind a condition);
    `entry_edges` the conditional ones (`target`, `kind`, `route_key`, `label`). Nodes
    are node names with attributes `kind`, `inputs`, `outputs`, `file`, `line`; each edge
    has `kind` (that of its first declared way), `kinds` (every way's kind, in declaration
    order), `labels` (the conditions' labels) and `route_keys`.
    """
    from .conditions import condition_label

    ctx = build_graph(decl)
    source = ctx.graph
    entry_edges = [{"target": dst, "kind": way.kind, "route_key": way.key,
                    "label": condition_label(way.decl.condition) if way.kind == "when" else ""}
                   for dst, way in ctx.entry_ways]
    graph: nx.DiGraph[str] = nx.DiGraph(name=decl.name, entries=list(ctx.entries),
                                        entry_edges=entry_edges)
    for name in source:
        spec = ctx.specs[name]
        graph.add_node(name, kind=spec.kind, inputs=spec.input_names,
                       outputs=spec.output_names, file=spec.file, line=spec.line)
    for src, dst in source.edges:
        ways: list[Way] = ctx.edge_ways[src, dst]
        graph.add_edge(src, dst, kind=ways[0].kind, kinds=[w.kind for w in ways],
                       labels=[condition_label(w.decl.condition) for w in ways
                               if w.kind == "when"],
                       route_keys=[w.key for w in ways if w.key is not None])
    return graph


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block, then restore it as it was.

    Declaring and compiling a flow allocates many small containers and frees no cycles;
    the collector would rescan the whole (large, long-lived) heap several times for
    nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_flow(decl: FlowDecl) -> tuple[Plan | None, list[Diagnostic]]:
    """Compile, raising `FlowCompileError` on errors unless `liteflow check` is collecting."""
    plan, diagnostics = compile_decl(decl)
    if plan is None and not collecting():
        raise FlowCompileError(decl.name, [d for d in diagnostics if d.severity == "error"])
    return plan, diagnostics

