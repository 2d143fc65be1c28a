"""A flow's graph as JSON for the page: from a compiled `Plan`, or from a thread's stored shape.

Node ids are generated (`n0`, `j0`, `lf_start`, `lf_end`) and names travel only as data,
so any name (Chinese, spaces, quotes) is safe. Edge kinds: `plain`, `when`, `route`,
`join` (parent → barrier → target) and `each` (into a mapped node); the page draws each
kind distinctly. Without the module (read-only), the stored shape still gives every
node, its kind and the wiring: START leads to the conditional entries and to every node
no edge leads to (an entry that is also a loop's target shows no START edge), and edges
carry no labels.
"""

from __future__ import annotations

from typing import Any

from ..plan import Plan

__all__ = ["graph_from_plan", "graph_from_shape", "nodes_of_shape", "strategies_of_shape"]

START, END = "lf_start", "lf_end"


def _node(node_id: str, name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "name": name, "kind": kind, **extra}


def _edge(source: str, target: str, kind: str, label: str = "") -> dict[str, Any]:
    return {"source": source, "target": target, "kind": kind, "label": label}


def graph_from_plan(plan: Plan) -> dict[str, Any]:
    """`{"nodes": [...], "edges": [...]}` of `plan`: every declared node and edge."""
    nodes = [_node(START, "START", "start")]
    for n in plan.nodes:
        nodes.append(_node(f"n{n.index}", n.name, "each" if n.each is not None else "node",
                           each=n.each.items_key if n.each is not None else None,
                           file=n.file, line=n.line,
                           inputs=[i.key for i in n.inputs], outputs=list(n.outputs)))
    edges = []
    for entry in plan.entries:
        each = plan.nodes[entry].each
        edges.append(_edge(START, f"n{entry}", "each" if each else "plain",
                           f"each {each.items_key}" if each else ""))
    uses_end = False
    for e in (*plan.entry_edges, *plan.edges):
        source = START if e.source < 0 else f"n{e.source}"
        if e.kind == "join":
            continue
        if e.kind == "route":
            for key, targets in e.route_map.items():
                if not targets:
                    uses_end = True
                    edges.append(_edge(source, END, "route", key))
                edges.extend(_edge(source, f"n{t}", "route", _each_label(plan, t, key))
                             for t in targets)
            continue
        for target in e.targets:
            each = plan.nodes[target].each
            kind = "each" if each is not None else e.kind
            label = (e.label or "when") if e.kind == "when" else ""
            edges.append(_edge(source, f"n{target}", kind, _each_label(plan, target, label)))
    for group in plan.joins:
        barrier = f"j{group.index}"
        nodes.append(_node(barrier, "join", "join"))
        edges.extend(_edge(f"n{p}", barrier, "join") for p in sorted(group.parents))
        edges.append(_edge(barrier, f"n{group.target}", "join"))
    if uses_end:
        nodes.append(_node(END, "END", "end"))
    return {"nodes": nodes, "edges": edges}


def _each_label(plan: Plan, target: int, label: str) -> str:
    each = plan.nodes[target].each
    if each is None:
        return label
    return f"{label} · each {each.items_key}" if label else f"each {each.items_key}"


def nodes_of_shape(shape: str) -> list[tuple[str, str]]:
    """`(name, kind)` of every node in a stored shape, in plan order (index = position)."""
    found = []
    for line in shape.splitlines():
        if line.startswith("node "):
            name, _, kind = line[5:].rpartition(" ")
            found.append((name, kind))
    return found


def strategies_of_shape(shape: str) -> dict[str, str]:
    """`{key: strategy}` of a stored shape (`append`, `add`, ... or `custom`)."""
    found = {}
    for line in shape.splitlines():
        if line.startswith("strategy "):
            key, _, strategy = line[9:].rpartition(": ")
            found[key] = strategy
    return found


def graph_from_shape(shape: str) -> dict[str, Any]:
    """The graph a thread's stored shape describes (read-only mode: no plan at hand)."""
    names = nodes_of_shape(shape)
    ids = {name: f"n{i}" for i, (name, _kind) in enumerate(names)}
    each_of = {}
    for line in shape.splitlines():
        if line.startswith("each "):
            name, _, key = line[5:].rpartition(" over ")
            each_of[name] = key
    nodes = [_node(ids[name], name, "each" if name in each_of else "node",
                   each=each_of.get(name)) for name, _kind in names]
    edges = []
    barriers: dict[str, str] = {}  # join target → its barrier (one per join group)
    led_to: set[str] = set()  # nodes some edge leads to
    for line in shape.splitlines():
        if not line.startswith("edge "):
            continue
        body, _, kind = line[5:].rpartition(" (")
        kind = kind.rstrip(")")
        source, _, targets = body.partition(" >> ")
        if source != "START" and source not in ids:
            continue
        for target in (t for t in targets.split(",") if t in ids):
            led_to.add(target)
            if source == "START":  # a conditional entry
                edges.append(_edge(START, ids[target], "each" if target in each_of else kind))
            elif kind == "join":
                barrier = barriers.get(target)
                if barrier is None:
                    barrier = barriers[target] = f"j{len(barriers)}"
                    nodes.append(_node(barrier, "join", "join"))
                    edges.append(_edge(barrier, ids[target], "join"))
                edges.append(_edge(ids[source], barrier, "join"))
            else:
                edges.append(_edge(ids[source], ids[target],
                                   "each" if target in each_of else kind))
    # The shape lists no plain entries: a node nothing leads to can only be one.
    entries = [_edge(START, ids[name], "each" if name in each_of else "plain")
               for name, _kind in names if name not in led_to]
    if entries or any(e["source"] == START for e in edges):
        nodes.insert(0, _node(START, "START", "start"))
    return {"nodes": nodes, "edges": [*entries, *edges]}
