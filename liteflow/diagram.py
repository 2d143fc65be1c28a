"""Mermaid and DOT export of a plan: exactly the declared edges, conditions labelled.

Node ids are generated (`n0`, `n1`, …; `j0` for join barriers; `lf_start`, `lf_end`)
and names only ever appear inside quoted, escaped labels, so Chinese, spaces and
punctuation in names cannot break the syntax.

What is drawn: START → each entry (dashed and labelled when behind a condition,
`START >> route(...)` or `START >> b.when(p)`); plain edges as solid arrows; `.when` edges dashed
and labelled with the condition (its function name, or a lambda's source); `route`
edges dashed and labelled with their key (to END when the key ends the run); a join
`[a, b] >> c` as a small barrier node all parents point to; an `each` worker as a
stacked box whose incoming edges say which key it maps over.
"""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Plan

__all__ = ["to_dot", "to_mermaid"]

_START = "lf_start"
_END = "lf_end"

# Mermaid entity codes (`#quot;` …): the documented way to put these inside a label.
_MERMAID_ESCAPES = str.maketrans({
    "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
    "|": "#124;", "\n": " ", "\r": " ",
})


def _mermaid_text(text: str) -> str:
    return text.translate(_MERMAID_ESCAPES)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace(
        "\r", "")


@dataclass(frozen=True, slots=True)
class _Arrow:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


def _shape(plan: Plan) -> tuple[list[_Arrow], int, bool]:
    """Every arrow to draw, the number of join barriers, and whether END appears."""
    arrows = [_Arrow(_START, f"n{entry}", _each_label(plan, entry, "")) for entry in plan.entries]
    uses_end = False
    for edge in (*plan.entry_edges, *plan.edges):
        src = _START if edge.source < 0 else f"n{edge.source}"
        if edge.kind == "join":
            continue
        if edge.kind == "route":
            for key, targets in edge.route_map.items():
                if not targets:
                    uses_end = True
                    arrows.append(_Arrow(src, _END, key, True))
                arrows.extend(_Arrow(src, f"n{t}", _each_label(plan, t, key), True)
                              for t in targets)
            continue
        for target in edge.targets:
            label = (edge.label or "when") if edge.kind == "when" else ""
            arrows.append(_Arrow(src, f"n{target}", _each_label(plan, target, label),
                                 edge.kind == "when"))
    for group in plan.joins:
        barrier = f"j{group.index}"
        arrows.extend(_Arrow(f"n{p}", barrier) for p in sorted(group.parents))
        arrows.append(_Arrow(barrier, f"n{group.target}", _each_label(plan, group.target, "")))
    return arrows, len(plan.joins), uses_end


def _each_label(plan: Plan, target: int, label: str) -> str:
    """`label`, followed by the key an `each` target maps over."""
    each = plan.nodes[target].each
    if each is None:
        return label
    return f"{label} · each {each.items_key}" if label else f"each {each.items_key}"


def to_mermaid(plan: Plan) -> str:
    """A Mermaid `flowchart TD` of the plan."""
    arrows, joins, uses_end = _shape(plan)
    lines = ["flowchart TD", f'    {_START}(["START"])']
    if uses_end:
        lines.append(f'    {_END}(["END"])')
    for node in plan.nodes:
        label = _mermaid_text(node.name)
        shape = f'[["{label}"]]' if node.each is not None else f'["{label}"]'
        lines.append(f"    n{node.index}{shape}")
    lines.extend(f'    j{k}(("join"))' for k in range(joins))
    for arrow in arrows:
        link = "-.->" if arrow.dashed else "-->"
        text = f'|"{_mermaid_text(arrow.label)}"|' if arrow.label else ""
        lines.append(f"    {arrow.source} {link}{text} {arrow.target}")
    return "\n".join(lines) + "\n"


def to_dot(plan: Plan) -> str:
    """A Graphviz `digraph` of the plan."""
    arrows, joins, uses_end = _shape(plan)
    lines = [f'digraph "{_dot_text(plan.name)}" {{', "    rankdir=TB;",
             f'    {_START} [label="START", shape=oval];']
    if uses_end:
        lines.append(f'    {_END} [label="END", shape=oval];')
    for node in plan.nodes:
        shape = "box3d" if node.each is not None else "box"
        lines.append(f'    n{node.index} [label="{_dot_text(node.name)}", shape={shape}];')
    lines.extend(f'    j{k} [label="join", shape=circle];' for k in range(joins))
    for arrow in arrows:
        attrs = []
        if arrow.label:
            attrs.append(f'label="{_dot_text(arrow.label)}"')
        if arrow.dashed:
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {arrow.source} -> {arrow.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
