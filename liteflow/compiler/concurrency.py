"""What runs together: joins that may never fire (LF204) and same-superstep writes to
one OVERWRITE key (LF301). Both are warnings: the runner stays deterministic."""

from __future__ import annotations

from ..core.merge import UpdateStrategy
from ..definitions.wiring import EdgeDecl
from .build import CompileContext, Way

__all__ = ["check_joins", "check_parallel_writes", "guards"]


Gate = tuple[str, int, str | None]  # (source node, id of the condition, route key)


def guards(ctx: CompileContext) -> dict[str, frozenset[Gate]]:
    """node → the conditions it always sits behind: those every way of activating it
    passes (a `.when` predicate or a route key, with the node that decides it).

    A greatest fixpoint, so that loops keep what holds on every turn: a node behind one
    route key has that gate; its unconditional successors inherit it; a join's target
    sits behind everything any of its parents sits behind.
    """
    ways_in: dict[str, list[tuple[str, Way]]] = {name: [] for name in ctx.specs}
    for src, dst, way in ctx.ways():
        ways_in[dst].append((src, way))
    # An entry behind `START >> route(...)` or `START >> b.when(p)` sits behind that gate.
    entries: dict[str, frozenset[Gate]] = {name: frozenset() for name in ctx.sure_entries}
    for name, way in ctx.entry_ways:
        gate = frozenset({("START", id(way.decl.condition), way.key)})
        entries[name] = entries[name] & gate if name in entries else gate
    found: dict[str, frozenset[Gate] | None] = dict.fromkeys(ctx.reached)
    changed = True
    while changed:
        changed = False
        for name in found:
            guard: frozenset[Gate] | None = entries.get(name)
            for src, way in ways_in[name]:
                through = _through(found, src, way)
                if through is not None:
                    guard = through if guard is None else guard & through
            if guard is not None and guard != found[name]:
                found[name] = guard
                changed = True
    return {name: guard or frozenset() for name, guard in found.items()}


def _through(found: dict[str, frozenset[Gate] | None], src: str, way: Way
             ) -> frozenset[Gate] | None:
    """The guard of a node activated along `way` from `src` (None: not known yet)."""
    if way.kind == "join":
        union: frozenset[Gate] = frozenset()
        for parent in way.decl.sources:
            guard = found.get(parent.name)
            if guard is None:
                return None
            union |= guard
        return union
    guard = found.get(src)
    if guard is None or way.kind == "plain":
        return guard
    return guard | {(src, id(way.decl.condition), way.key)}


def check_joins(ctx: CompileContext) -> None:
    """LF204: a join fires only once every parent finished; a parent behind a condition
    the others do not share may never finish, and then the join never fires."""
    joins = [e for e in ctx.decl.edges if e.kind == "join"]
    if not joins:
        return
    reached = ctx.reached
    guard = guards(ctx)
    for edge in joins:
        target = edge.targets[0].name
        parents = [p.name for p in edge.sources if p.name in reached]
        if not parents:
            continue
        shared = frozenset.intersection(*(guard[p] for p in parents))
        for parent in parents:
            if guard[parent] != shared:
                ctx.report_at_edge("LF204", "check.join_conditional", edge, node=target,
                                   parent=parent)


def _overwrites(ctx: CompileContext, name: str) -> list[str]:
    spec = ctx.specs[name]
    reducers = ctx.reducers
    return [o.name for o in spec.outputs
            if reducers.get(o.name, UpdateStrategy.OVERWRITE) is UpdateStrategy.OVERWRITE]


def check_parallel_writes(ctx: CompileContext) -> None:
    """LF301: siblings that always run in one superstep both write an OVERWRITE key."""
    reached = ctx.reached
    groups: list[list[tuple[str, EdgeDecl | None]]] = []
    if len(ctx.sure_entries) > 1:  # those behind a condition are not sure to run together
        groups.append([(e, None) for e in ctx.sure_entries])
    for name, targets in ctx.graph.adjacency():
        if len(targets) < 2 or name not in reached:
            continue
        siblings: dict[str, EdgeDecl | None] = {}
        for dst in targets:
            ways = ctx.edge_ways[name, dst]
            plain = next((way.decl for way in ways if way.kind == "plain"), None)
            if plain is not None:
                siblings[dst] = plain
        if len(siblings) > 1:
            groups.append(list(siblings.items()))
    reported: set[tuple[str, str, str]] = set()
    for group in groups:
        seen: dict[str, str] = {}
        for node, wiring in group:
            for key in _overwrites(ctx, node):
                other = seen.setdefault(key, node)
                if other == node or (other, node, key) in reported:
                    continue
                reported.add((other, node, key))
                if wiring is not None:
                    ctx.report_at_edge("LF301", "check.parallel_overwrite", wiring, node=node,
                                       other=other, key=key)
                else:
                    ctx.report("LF301", "check.parallel_overwrite", node=node, other=other,
                               key=key)
    for worker in ctx.decl.maps:
        if worker not in ctx.specs or worker not in reached:
            continue
        edge = next((e for e in ctx.decl.edges if any(t.name == worker for t in e.targets)),
                    None)
        for key in _overwrites(ctx, worker):
            if edge is not None:
                ctx.report_at_edge("LF301", "check.each_overwrite", edge, node=worker, key=key)
            else:
                ctx.report("LF301", "check.each_overwrite", node=worker, key=key)
