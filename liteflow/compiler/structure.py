"""Structural passes: signatures (LF100), reachability (LF202), endless cycles (LF203)."""

from __future__ import annotations

import networkx as nx

from ..definitions.spec import problem_diagnostics
from ..definitions.wiring import EdgeDecl
from .build import CompileContext

__all__ = ["check_cycles", "check_reachability", "check_signatures"]


def check_signatures(ctx: CompileContext) -> None:
    """LF100: definition problems recorded when the functions were read."""
    for problem in ctx.decl.problems:
        fields = {"node": ctx.decl.name, **problem.fields}
        ctx.report("LF100", problem.msg_id, **fields)
    for spec in ctx.specs.values():
        if spec.problems:
            ctx.diagnostics.extend(problem_diagnostics(spec, ctx.decl.name))


def check_reachability(ctx: CompileContext) -> None:
    """LF202: every node must be reachable from an entry (`nx.descendants`)."""
    if not ctx.specs:
        ctx.report("LF202", "builder.empty" if ctx.builder else "check.empty_flow")
        return
    if not ctx.entries:
        ctx.report("LF202", "builder.no_entry" if ctx.builder else "check.no_entry")
        return
    if any(d.code == "LF201" for d in ctx.diagnostics):
        return  # a misspelt or doubled name may be what cut them off: LF201 says it
    reached = ctx.reached
    for name in ctx.specs:
        if name not in reached:
            ctx.report("LF202", "check.unreachable", node=name,
                       entries=", ".join(ctx.entries))


def check_cycles(ctx: CompileContext) -> None:
    """LF203: a cycle made only of unconditional edges runs until the superstep limit.

    A join counts as unconditional once every parent sits unconditionally downstream of
    its target: each pass round the cycle then finishes all parents again, so the join
    fires again. A join with a parent off the cycle (or behind a condition) may stall.
    What follows an `each` worker is behind a condition too: an empty list stops the map.
    """
    graph = ctx.graph
    if ctx.forward or nx.is_directed_acyclic_graph(graph):
        return  # no cycle at all: the common case
    plain: nx.DiGraph[str] = nx.DiGraph()
    plain.add_nodes_from(graph)
    joins: dict[int, EdgeDecl] = {}
    maps = ctx.decl.maps
    for src, dst, way in ctx.ways():
        if src in maps:
            continue
        if way.kind == "plain":
            if not plain.has_edge(src, dst):
                plain.add_edge(src, dst, decl=way.decl)
        elif way.kind == "join":
            joins.setdefault(id(way.decl), way.decl)
    pending = list(joins.values())
    changed = True
    while changed and pending:
        changed = False
        for edge in list(pending):
            target = edge.targets[0].name
            below = nx.descendants(plain, target) | {target}
            if all(parent.name in below for parent in edge.sources):
                for parent in edge.sources:
                    if not plain.has_edge(parent.name, target):
                        plain.add_edge(parent.name, target, decl=edge)
                pending.remove(edge)
                changed = True
    order = {name: i for i, name in enumerate(ctx.specs)}
    for component in nx.strongly_connected_components(plain):
        if len(component) == 1:
            (only,) = component
            if not plain.has_edge(only, only):
                continue
        cycle = _cycle_in(plain, component, order)
        closing: EdgeDecl = plain.edges[cycle[-1], cycle[0]]["decl"]
        ctx.report("LF203", "check.endless_cycle", node=cycle[0], file=closing.file,
                   line=closing.line, cycle=" → ".join([*cycle, cycle[0]]))


def _cycle_in(graph: nx.DiGraph[str], component: set[str], order: dict[str, int]) -> list[str]:
    """One concrete cycle inside a strongly connected component, from its first node."""
    start = min(component, key=order.__getitem__)
    return [src for src, _dst in nx.find_cycle(graph.subgraph(component), start)]
