"""What runs together: joins that may never fire (LF204) and same-superstep writes to
one OVERWRITE key (LF301). Both are warnings: the runner stays deterministic."""

from __future__ import annotations

from ..core.merge import UpdateStrategy
from ..definitions.wiring import EdgeDecl
from .build import CompileContext

__all__ = ["always_run", "check_joins", "check_parallel_writes"]


def always_run(ctx: CompileContext) -> set[str]:
    """Nodes that run in every run: entries, plain successors, joins of such parents."""
    done = set(ctx.entries)
    joins = [e for e in ctx.decl.edges if e.kind == "join"]
    plain = [(src, dst) for src, out in ctx.succ.items() for dst, kind, _e, _k in out
             if kind == "plain"]
    changed = True
    while changed:
        changed = False
        for src, dst in plain:
            if src in done and dst not in done:
                done.add(dst)
                changed = True
        for edge in joins:
            target = edge.targets[0].name
            if target not in done and all(s.name in done for s in edge.sources):
                done.add(target)
                changed = True
    return done


def check_joins(ctx: CompileContext) -> None:
    """LF204: a join fires only once every parent finished; a conditional parent may not."""
    joins = [e for e in ctx.decl.edges if e.kind == "join"]
    if not joins:
        return
    sure = always_run(ctx)
    reached = ctx.reached
    for edge in joins:
        target = edge.targets[0].name
        for parent in edge.sources:
            if parent.name in reached and parent.name not in sure:
                ctx.report_at_edge("LF204", "check.join_conditional", edge, node=target,
                                   parent=parent.name)


def _overwrites(ctx: CompileContext, name: str) -> list[str]:
    spec = ctx.specs[name]
    reducers = ctx.reducers
    return [o.name for o in spec.outputs
            if reducers.get(o.name, UpdateStrategy.OVERWRITE) is UpdateStrategy.OVERWRITE]


def check_parallel_writes(ctx: CompileContext) -> None:
    """LF301: siblings that always run in one superstep both write an OVERWRITE key."""
    reached = ctx.reached
    groups: list[list[tuple[str, EdgeDecl | None]]] = []
    if len(ctx.entries) > 1:
        groups.append([(e, None) for e in ctx.entries])
    for name in ctx.specs:
        if name not in reached:
            continue
        siblings: dict[str, EdgeDecl | None] = {}
        for dst, kind, decl, _key in ctx.succ[name]:
            if kind == "plain":
                siblings.setdefault(dst, decl)
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
