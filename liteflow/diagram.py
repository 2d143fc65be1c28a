"""Mermaid and DOT export of a plan: declared edges only, conditions labelled.

Node ids are generated (`n0`, `n1`, …) and names only ever appear inside quoted
labels, so Chinese and punctuation in names cannot break the syntax.
"""

from __future__ import annotations

from .plan import Plan, PlanEdge

__all__ = ["to_dot", "to_mermaid"]


def _mermaid_label(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(
        ">", "&gt;")


def _dot_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _edges(plan: Plan) -> list[tuple[str, str, str, bool]]:
    """(source id, target id, label, dashed) for every declared edge."""
    rows: list[tuple[str, str, str, bool]] = []
    seen_join: set[int] = set()
    for edge in plan.edges:
        rows.extend(_rows(plan, edge, seen_join))
    return rows


def _rows(plan: Plan, edge: PlanEdge, seen_join: set[int]) -> list[tuple[str, str, str, bool]]:
    src = f"n{edge.source}"
    if edge.kind == "plain":
        return [(src, f"n{t}", "", False) for t in edge.targets]
    if edge.kind == "when":
        return [(src, f"n{t}", edge.label or "when", True) for t in edge.targets]
    if edge.kind == "join":
        return [(src, f"n{t}", "join", False) for t in edge.targets]
    rows = []
    for key, targets in edge.route_map.items():
        if not targets:
            rows.append((src, "END", key, True))
        rows.extend((src, f"n{t}", key, True) for t in targets)
    return rows


def to_mermaid(plan: Plan) -> str:
    """A Mermaid `flowchart TD` of the plan."""
    lines = ["flowchart TD", '    START(["START"])']
    rows = _edges(plan)
    if any(dst == "END" for _, dst, _, _ in rows):
        lines.append('    END(["END"])')
    for node in plan.nodes:
        shape = ('[["{}"]]' if node.each is not None else '["{}"]').format(
            _mermaid_label(node.name))
        lines.append(f"    n{node.index}{shape}")
    for entry in plan.entries:
        lines.append(f"    START --> n{entry}")
    for src, dst, label, dashed in rows:
        arrow = "-.->" if dashed else "-->"
        text = f'|"{_mermaid_label(label)}"|' if label else ""
        lines.append(f"    {src} {arrow}{text} {dst}")
    return "\n".join(lines) + "\n"


def to_dot(plan: Plan) -> str:
    """A Graphviz `digraph` of the plan."""
    lines = [f'digraph "{_dot_label(plan.name)}" {{', "    rankdir=TB;",
             '    START [label="START", shape=oval];']
    rows = _edges(plan)
    if any(dst == "END" for _, dst, _, _ in rows):
        lines.append('    END [label="END", shape=oval];')
    for node in plan.nodes:
        shape = "box3d" if node.each is not None else "box"
        lines.append(f'    n{node.index} [label="{_dot_label(node.name)}", shape={shape}];')
    for entry in plan.entries:
        lines.append(f"    START -> n{entry};")
    for src, dst, label, dashed in rows:
        attrs = []
        if label:
            attrs.append(f'label="{_dot_label(label)}"')
        if dashed:
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {src} -> {dst}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
