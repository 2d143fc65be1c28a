"""Declarations → one networkx graph that every check pass reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..definitions.decl import FlowDecl
from ..definitions.spec import NodeSpec
from .diagnostics import Diagnostic

__all__ = ["CompileContext", "build_graph"]


@dataclass
class CompileContext:
    """State shared by the passes: the declaration, its graph, what was found so far.

    Graph nodes are node names (attribute `spec`); each edge carries `kind`
    ("plain", "when", "route", "join"), `decl` (the `EdgeDecl`) and, for routes, `key`.
    """

    decl: FlowDecl
    graph: nx.MultiDiGraph[str] = field(default_factory=nx.MultiDiGraph)
    specs: dict[str, NodeSpec] = field(default_factory=dict)
    entries: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(self, code: str, msg_id: str, *, node: str | None = None, file: str | None = None,
               line: int | None = None, **fields: object) -> None:
        spec = self.specs.get(node) if node is not None else None
        if file is None:
            file = spec.file if spec is not None else self.decl.file
        if line is None:
            line = spec.line if spec is not None else self.decl.line
        self.diagnostics.append(Diagnostic(code, msg_id, {"flow": self.decl.name, **fields},
                                           file, line, 1, self.decl.name, node))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


def build_graph(decl: FlowDecl) -> CompileContext:
    ctx = CompileContext(decl)
    for spec in decl.nodes:
        if spec.name in ctx.specs and ctx.specs[spec.name] is not spec:
            other = ctx.specs[spec.name]
            ctx.report("LF201", "check.duplicate_node", node=spec.name, name=spec.name,
                       other=f"{other.file}:{other.line}")
            continue
        ctx.specs[spec.name] = spec
        ctx.graph.add_node(spec.name, spec=spec)
    for edge in decl.edges:
        for src in edge.sources:
            if edge.kind == "route":
                for key, targets in edge.route_map:
                    for dst in targets:
                        ctx.graph.add_edge(src.name, dst.name, kind="route", decl=edge, key=key)
                continue
            for dst in edge.targets:
                ctx.graph.add_edge(src.name, dst.name, kind=edge.kind, decl=edge, key=None)
    if decl.entries:
        ctx.entries = list(dict.fromkeys(s.name for s in decl.entries))
    else:
        ctx.entries = [n for n in ctx.specs if ctx.graph.in_degree(n) == 0]
    return ctx
