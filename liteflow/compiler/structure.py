"""Structural passes: signatures (LF100), reachability (LF202), endless cycles (LF203)."""

from __future__ import annotations

import networkx as nx

from ..definitions.spec import problem_diagnostics
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
    """LF202: every node must be reachable from an entry."""
    if not ctx.specs:
        ctx.report("LF202", "check.empty_flow")
        return
    if not ctx.entries:
        ctx.report("LF202", "check.no_entry")
        return
    reached = ctx.reached
    for name in ctx.specs:
        if name not in reached:
            ctx.report("LF202", "check.unreachable", node=name,
                       entries=", ".join(ctx.entries))


def check_cycles(ctx: CompileContext) -> None:
    """LF203: a cycle made only of unconditional edges runs until the superstep limit.

    Joins are left out: a join waits for all its parents, so a cycle through one can stall.
    """
    remaining = _nodes_on_plain_cycles(ctx)
    if not remaining:
        return
    plain: nx.DiGraph[str] = nx.DiGraph()
    plain.add_nodes_from(remaining)
    wiring_line: dict[tuple[str, str], tuple[str, int]] = {}
    for src in remaining:
        for dst, kind, edge, _key in ctx.succ[src]:
            if kind == "plain" and dst in remaining:
                plain.add_edge(src, dst)
                wiring_line.setdefault((src, dst), (edge.file, edge.line))
    order = {name: i for i, name in enumerate(ctx.specs)}
    for component in nx.strongly_connected_components(plain):
        if len(component) == 1:
            (only,) = component
            if not plain.has_edge(only, only):
                continue
        cycle = _cycle_in(plain, component, order)
        file, line = wiring_line[(cycle[-1], cycle[0])]
        ctx.report("LF203", "check.endless_cycle", node=cycle[0], file=file, line=line,
                   cycle=" → ".join([*cycle, cycle[0]]))


def _nodes_on_plain_cycles(ctx: CompileContext) -> set[str]:
    """Nodes left after peeling off, repeatedly, those with no incoming plain edge.

    What remains holds every plain-edge cycle (plus nodes downstream of one); for the
    common acyclic flow nothing remains and networkx is not needed at all.
    """
    indegree = dict.fromkeys(ctx.specs, 0)
    for out in ctx.succ.values():
        for dst, kind, _edge, _key in out:
            if kind == "plain":
                indegree[dst] += 1
    ready = [name for name, degree in indegree.items() if degree == 0]
    while ready:
        name = ready.pop()
        del indegree[name]
        for dst, kind, _edge, _key in ctx.succ[name]:
            if kind == "plain":
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    ready.append(dst)
    return set(indegree)


def _cycle_in(graph: nx.DiGraph[str], component: set[str], order: dict[str, int]) -> list[str]:
    """One concrete cycle inside a strongly connected component, from its first node."""
    start = min(component, key=order.__getitem__)
    return [src for src, _dst in nx.find_cycle(graph.subgraph(component), start)]
