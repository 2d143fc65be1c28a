"""Declarations → the networkx graph that every check pass reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import networkx as nx

from ..core.diagnostics import Diagnostic, Phrase, def_position, line_position
from ..core.merge import UpdateStrategy
from ..core.suggest import closest
from ..definitions.decl import FlowDecl
from ..definitions.spec import NodeSpec, OutputSpec, Reducer
from ..definitions.wiring import EdgeDecl

__all__ = ["CompileContext", "Way", "build_graph", "suggestion"]


class Way(NamedTuple):
    """One declared way along a graph edge: its kind, its declaration, its route key."""

    kind: str  # "plain", "when", "route" or "join"
    decl: EdgeDecl
    key: str | None = None


@dataclass
class CompileContext:
    """State shared by the passes: the declaration, its graph, what was found so far.

    `graph` is a `networkx.DiGraph` over node names, without attributes: the structural
    algorithms only need adjacency, and an attribute dict per node and edge would cost
    more than the rest of building the graph. What the graph's parts stand for is kept
    beside it: `specs` (name → `NodeSpec`) and `edge_ways` ((source, target) → every
    declared `Way` between them, in declaration order: `a >> b` and `a >> b.when(p)` are
    one graph edge with two ways). `graph_of` spells both out as attributes. A DiGraph
    rather than a multigraph: the ways keep what parallel declarations say.
    """

    decl: FlowDecl
    graph: nx.DiGraph[str] = field(default_factory=nx.DiGraph)
    specs: dict[str, NodeSpec] = field(default_factory=dict)
    edge_ways: dict[tuple[str, str], list[Way]] = field(default_factory=dict)
    # Every node START may activate; `sure_entries` those it always activates (the
    # others sit behind `START >> b.when(p)` or `START >> route(...)`: `entry_ways`,
    # (target, way) in declaration order).
    entries: list[str] = field(default_factory=list)
    sure_entries: list[str] = field(default_factory=list)
    entry_ways: list[tuple[str, Way]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(self, code: str, msg_id: str, *, node: str | None = None, file: str | None = None,
               line: int | None = None, **fields: Any) -> None:
        """Record a finding at `file:line` (default: the `def` of `node`, else of the flow)."""
        if file is not None and line is not None:
            line, col = line_position(file, line)
        else:
            spec = self.specs.get(node) if node is not None else None
            file, start = (spec.file, spec.line) if spec is not None else (self.decl.file,
                                                                           self.decl.line)
            line, col = def_position(file, start)
        named = {"flow": self.decl.name, "node": node, **fields}
        self.diagnostics.append(Diagnostic(code, msg_id, named, file, line, col, self.decl.name,
                                           node))

    def report_at_edge(self, code: str, msg_id: str, edge: EdgeDecl, *, node: str | None = None,
                       **fields: object) -> None:
        """Record a finding at the wiring line of `edge`."""
        self.report(code, msg_id, node=node, file=edge.file, line=edge.line, **fields)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    @property
    def builder(self) -> bool:
        """A builder graph (`Workflow`, `Graph`): its mistakes get the builder's wording."""
        return self.decl.kind == "builder"

    def ways(self) -> Iterator[tuple[str, str, Way]]:
        """(source, target, way) for every declared way, edge by edge."""
        edge_ways = self.edge_ways
        for src, targets in self.graph.adjacency():
            for dst in targets:
                for way in edge_ways[src, dst]:
                    yield src, dst, way

    # -- facts several passes need, computed once ---------------------------------------

    @cached_property
    def reached(self) -> set[str]:
        """Nodes reachable from an entry."""
        seen: set[str] = set()
        for entry in self.entries:
            if entry not in seen:
                seen.add(entry)
                seen |= nx.descendants(self.graph, entry)
        return seen

    @cached_property
    def forward(self) -> bool:
        """Whether every edge goes forward in node order (as flows are mostly written):
        then the graph has no cycle, without a topological sort to say so."""
        position = {name: i for i, name in enumerate(self.specs)}
        return all([position[src] < position[dst] for src, dst in self.edge_ways])

    @cached_property
    def producers(self) -> dict[str, list[tuple[NodeSpec, OutputSpec]]]:
        """key → the nodes declaring it as an output, in node order."""
        found: dict[str, list[tuple[NodeSpec, OutputSpec]]] = {}
        for spec in self.specs.values():
            for out in spec.outputs:
                found.setdefault(out.name, []).append((spec, out))
        return found

    @cached_property
    def open_writers(self) -> bool:
        """Some node may write keys it does not declare (builder nodes)."""
        return any(spec.open_outputs or spec.problems for spec in self.specs.values())

    def strategy_declarations(self) -> Iterator[tuple[str, str, Reducer]]:
        """(declarer, key, strategy) for every declared merge strategy, in precedence
        order: the flow's `state=`, then the nodes in order, then the flow's outputs."""
        flow = self.decl.name
        for out in self.decl.state:
            if out.reducer is not None:
                yield flow, out.name, out.reducer
        for spec in self.specs.values():
            for out in spec.outputs:
                if out.reducer is not None:
                    yield spec.name, out.name, out.reducer
        for out in self.decl.outputs:
            if out.reducer is not None:
                yield flow, out.name, out.reducer

    @cached_property
    def reducers(self) -> dict[str, Reducer]:
        """key → its merge strategy: the first declaration wins (others must agree, LF104)."""
        declared: dict[str, Reducer] = {}
        for _who, key, reducer in self.strategy_declarations():
            declared.setdefault(key, reducer)
        return declared

    def appends(self, key: str) -> bool:
        """Whether `key` merges by APPEND (an `each` that runs zero times still writes [])."""
        return self.reducers.get(key) is UpdateStrategy.APPEND

    def node_inputs(self, spec: NodeSpec) -> tuple[str, ...]:
        """The state keys a node reads (the `each` item parameter is not one)."""
        mapped = self.decl.maps.get(spec.name)
        if mapped is None:
            return tuple([i.name for i in spec.inputs])
        return tuple([i.name for i in spec.inputs if i.name != mapped[1]])


def suggestion(name: str, options: Any) -> Phrase | str:
    """A lazily rendered did-you-mean hint, or ''."""
    found = closest(name, options)
    return Phrase("hint.did_you_mean", {"suggestion": found}) if found is not None else ""


def build_graph(decl: FlowDecl) -> CompileContext:
    """The compiler's graph of `decl`, with LF201 for unknown and duplicate nodes."""
    ctx = CompileContext(decl)
    specs = ctx.specs
    graph = ctx.graph
    for spec in decl.nodes:
        other = specs.setdefault(spec.name, spec)
        if other is not spec:
            line, _ = def_position(other.file, other.line)
            ctx.diagnostics.append(_duplicate(ctx, spec, f"{other.file}:{line}"))
    graph.add_nodes_from(specs)
    # Gathered first, then added at once: parallel declarations become one edge's ways.
    ways = ctx.edge_ways
    for edge in decl.edges:
        kind = edge.kind
        if kind == "plain" and len(edge.sources) == 1 and len(edge.targets) == 1:
            # `a >> b`: the common case, without the general loops below.
            src, dst = edge.sources[0], edge.targets[0]
            if specs.get(src.name) is src and specs.get(dst.name) is dst:
                pair = (src.name, dst.name)
                found = ways.get(pair)
                if found is None:
                    ways[pair] = [Way(kind, edge)]
                else:
                    found.append(Way(kind, edge))
                continue
        if not _known(ctx, edge):
            continue
        if kind == "route":
            for key, targets in edge.route_map:
                for dst in targets:
                    for src in edge.sources:
                        ways.setdefault((src.name, dst.name), []).append(Way(kind, edge, key))
            continue
        for dst in edge.targets:
            for src in edge.sources:
                ways.setdefault((src.name, dst.name), []).append(Way(kind, edge))
    graph.add_edges_from(ways)
    _unknown_builder_edges(ctx)
    for edge in decl.entry_edges:
        if _known(ctx, edge):
            if edge.route_map:
                ctx.entry_ways.extend((dst.name, Way(edge.kind, edge, key))
                                      for key, targets in edge.route_map for dst in targets)
            else:
                ctx.entry_ways.extend((dst.name, Way(edge.kind, edge)) for dst in edge.targets)
    if decl.entries or decl.entry_edges:
        sure = [s.name for s in decl.entries if s.name in specs]
        ctx.sure_entries = list(dict.fromkeys(sure))
        ctx.entries = list(dict.fromkeys([*sure, *(name for name, _ in ctx.entry_ways)]))
    else:
        ctx.entries = [n for n, degree in graph.in_degree() if degree == 0]
        ctx.sure_entries = list(ctx.entries)
    return ctx


def _known(ctx: CompileContext, edge: EdgeDecl) -> bool:
    """LF201 for an endpoint that names no declared node."""
    ok = True
    for spec in (*edge.sources, *edge.targets):
        known = ctx.specs.get(spec.name)
        if known is None:
            ctx.report_at_edge("LF201", "check.unknown_node", edge, name=spec.name,
                               hint=suggestion(spec.name, ctx.specs))
            ok = False
        elif known is not spec:
            ok = False  # the second of two same-named nodes: already reported
    return ok


def _unknown_builder_edges(ctx: CompileContext) -> None:
    """LF201 for builder edges and entries naming a node the builder does not have."""
    decl = ctx.decl
    for src, dst, file, line in decl.unknown_edges:
        for name in dict.fromkeys(n for n in (src, dst) if n not in ctx.specs):
            ctx.report("LF201", "builder.unknown_node", node=name, file=file, line=line,
                       src=src, dst=dst, name=name, hint=suggestion(name, ctx.specs))
    for name in decl.unknown_entries:
        ctx.report("LF201", "builder.unknown_entry", node=name, file=decl.file, line=decl.line,
                   name=name, hint=suggestion(name, ctx.specs))


def _duplicate(ctx: CompileContext, spec: NodeSpec, other: str) -> Diagnostic:
    line, col = def_position(spec.file, spec.line)
    msg_id = "builder.duplicate_node" if ctx.builder else "check.duplicate_node"
    return Diagnostic("LF201", msg_id, {"flow": ctx.decl.name, "name": spec.name, "other": other},
                      spec.file, line, col, ctx.decl.name, spec.name)
