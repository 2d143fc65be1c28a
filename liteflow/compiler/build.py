"""Declarations → one networkx graph that every check pass reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from ..core.diagnostics import Diagnostic, Phrase, def_position, line_position
from ..core.suggest import closest
from ..definitions.decl import FlowDecl
from ..definitions.spec import NodeSpec, OutputSpec, Reducer
from ..definitions.wiring import EdgeDecl

__all__ = ["CompileContext", "build_graph", "suggestion"]


@dataclass
class CompileContext:
    """State shared by the passes: the declaration, its graph, what was found so far.

    Graph nodes are node names (attribute `spec`); each edge carries `kind`
    ("plain", "when", "route", "join"), `decl` (the `EdgeDecl`) and, for routes, `key`.
    """

    decl: FlowDecl
    specs: dict[str, NodeSpec] = field(default_factory=dict)
    entries: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The edges as plain lists (name → [(target, kind, decl, route key)]): the passes
    # walk these, which costs a fraction of walking networkx's edge views.
    succ: dict[str, list[tuple[str, str, EdgeDecl, str | None]]] = field(default_factory=dict)

    @cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The flow as a networkx multigraph, built when a pass first asks for it.

        Linear passes walk `succ`; networkx serves the graph algorithms (cycles,
        components) and tools that want the whole graph.
        """
        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        graph.add_nodes_from((name, {"spec": spec}) for name, spec in self.specs.items())
        graph.add_edges_from(
            (src, dst, {"kind": kind, "decl": edge, "key": key})
            for src, out in self.succ.items() for dst, kind, edge, key in out)
        return graph

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

    # -- facts several passes need, computed once ---------------------------------------

    @cached_property
    def reached(self) -> set[str]:
        """Nodes reachable from an entry."""
        seen: set[str] = set()
        stack = [e for e in self.entries if e in self.specs]
        succ = self.succ
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            for target in succ[name]:
                if target[0] not in seen:
                    stack.append(target[0])
        return seen

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

    @cached_property
    def reducers(self) -> dict[str, Reducer]:
        """key → its declared merge strategy (the flow's `state=`, then nodes, then outputs)."""
        declared: dict[str, Reducer] = {}
        for out in self.decl.state:
            if out.reducer is not None:
                declared.setdefault(out.name, out.reducer)
        for pairs in self.producers.values():
            for _spec, out in pairs:
                if out.reducer is not None:
                    declared.setdefault(out.name, out.reducer)
        for out in self.decl.outputs:
            if out.reducer is not None:
                declared.setdefault(out.name, out.reducer)
        return declared

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
    ctx = CompileContext(decl)
    specs = ctx.specs
    for spec in decl.nodes:
        other = specs.setdefault(spec.name, spec)
        if other is not spec:
            line, _ = def_position(other.file, other.line)
            ctx.diagnostics.append(_duplicate(ctx, spec, f"{other.file}:{line}"))
    succ = ctx.succ
    for name in specs:
        succ[name] = []
    for edge in decl.edges:
        sources, targets = edge.sources, edge.targets
        kind = edge.kind
        if kind == "plain" and len(sources) == 1 and len(targets) == 1:
            # `a >> b`: the common case, without the general loops below.
            src, dst = sources[0], targets[0]
            if specs.get(src.name) is src and specs.get(dst.name) is dst:
                succ[src.name].append((dst.name, kind, edge, None))
                continue
        if not _known(ctx, edge):
            continue
        for src in sources:
            out = succ[src.name]
            if kind == "route":
                for key, targets in edge.route_map:
                    out.extend((dst.name, kind, edge, key) for dst in targets)
            else:
                out.extend((dst.name, kind, edge, None) for dst in edge.targets)
    if decl.entries:
        ctx.entries = [n for n in dict.fromkeys(s.name for s in decl.entries) if n in ctx.specs]
    else:
        has_parent = {target[0] for out in succ.values() for target in out}
        ctx.entries = [n for n in ctx.specs if n not in has_parent]
    return ctx


def _known(ctx: CompileContext, edge: EdgeDecl) -> bool:
    """LF201 for an endpoint that names no declared node (builder edges name nodes by string)."""
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


def _duplicate(ctx: CompileContext, spec: NodeSpec, other: str) -> Diagnostic:
    line, col = def_position(spec.file, spec.line)
    return Diagnostic("LF201", "check.duplicate_node",
                      {"flow": ctx.decl.name, "name": spec.name, "other": other},
                      spec.file, line, col, ctx.decl.name, spec.name)
