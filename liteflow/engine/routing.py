"""Messages: which nodes a superstep activates, from what its calls wrote.

Conditions see the state as it will be after the barrier (staged writes over the
current values), so a failing condition leaves the state untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Sized
from typing import Any

from ..core.errors import ConditionError, LiteflowError, RouteError
from ..core.state import Overlay, State
from ..core.suggest import did_you_mean
from ..plan import Plan, PlanNode

__all__ = ["first_active", "next_active", "next_of", "skip_empty_maps"]


def next_active(ran: Sequence[PlanNode], outs: Sequence[Mapping[str, Any]],
                seen: Mapping[int, Mapping[str, Any]] | None, staged: Mapping[str, Any],
                values: Mapping[str, Any], arrivals: dict[int, set[int]],
                join_sizes: Sequence[int], flow: str,
                plan: Plan | None = None) -> tuple[int, ...]:
    """The sorted next active set; `arrivals` (join → parents arrived) is updated in place.

    `seen`: what the conditions of `each` nodes see (their instances' writes combined).
    `plan`: given when it has `each` workers, which an empty list leaves out.
    """
    nxt: set[int] = set()
    view: State | None = None
    done: PlanNode | None = None  # an `each` node whose edges already fired
    for node, out in zip(ran, outs, strict=True):
        edges = node.out_edges
        if not edges or node is done:
            continue
        if seen is not None and node.each is not None:
            done = node
            out = seen[node.index]
        for edge in edges:
            kind = edge.kind
            if kind == "plain":
                nxt.update(edge.targets)
            elif kind == "join":
                got = arrivals.get(edge.join)
                if got is None:
                    got = arrivals[edge.join] = set()
                got.add(node.index)
                # Only parents arrive, so a size check is a subset check.
                if len(got) == join_sizes[edge.join]:
                    nxt.add(edge.targets[0])
                    got.clear()
            else:
                if edge.wants_state and view is None:
                    view = State(Overlay(staged, values))
                decision = _decide(edge.condition, out, view, edge.wants_state, flow, node.name)
                if kind == "when":
                    if decision:
                        nxt.update(edge.targets)
                else:
                    nxt.update(_route(edge.route_map, decision, flow, node.name))
    if plan is not None and plan.mapped and nxt:
        skip_empty_maps(plan, nxt, staged, values)
    return tuple(sorted(nxt)) if len(nxt) > 1 else tuple(nxt)


def first_active(plan: Plan, values: Mapping[str, Any]) -> tuple[int, ...]:
    """The active set of a run's (or a turn's) first superstep, from the initial state.

    Conditions after START see the flow's inputs as `outputs` (a builder's: its whole
    initial state) and the initial state as `state`.
    """
    if not plan.entry_edges and not plan.mapped:
        return plan.entries
    nxt = set(plan.entries)
    if plan.entry_edges:
        if plan.open_inputs:
            given: Mapping[str, Any] = values
        else:
            given = {i.key: values[i.key] for i in plan.inputs if i.key in values}
        view = State(values)
        for edge in plan.entry_edges:
            decision = _decide(edge.condition, given, view, edge.wants_state, plan.name, "START")
            if edge.kind == "when":
                if decision:
                    nxt.update(edge.targets)
            else:
                nxt.update(_route(edge.route_map, decision, plan.name, "START"))
    if plan.mapped and nxt:
        skip_empty_maps(plan, nxt, {}, values)
    return tuple(sorted(nxt))


def skip_empty_maps(plan: Plan, active: set[int], staged: Mapping[str, Any],
                    values: Mapping[str, Any]) -> None:
    """Leave out of `active` every `each` worker whose list is empty: it runs nothing,
    writes nothing and activates nothing (no superstep of its own). A missing or
    malformed list stays: running it reports the mistake."""
    for index in [i for i in active if i in plan.mapped]:
        each = plan.nodes[index].each
        assert each is not None
        key = each.items_key
        items = staged[key] if key in staged else values.get(key)
        if (isinstance(items, Sized) and not isinstance(items, str | bytes | Mapping)
                and len(items) == 0):
            active.discard(index)


def next_of(node: PlanNode, out: Mapping[str, Any], staged: Mapping[str, Any],
            values: Mapping[str, Any], arrivals: dict[int, set[int]],
            join_sizes: Sequence[int], flow: str, plan: Plan | None = None) -> tuple[int, ...]:
    """`next_active` of a superstep that ran `node` alone (not mapped by `each`).

    A lone conditional edge (a loop's way back, an agent's router) is decided without
    building a set; anything else goes the general way.
    """
    edges = node.out_edges
    if len(edges) != 1 or edges[0].kind not in ("when", "route") or (
            plan is not None and plan.mapped):
        return next_active((node,), (out,), None, staged, values, arrivals, join_sizes, flow,
                           plan)
    edge = edges[0]
    view = State(Overlay(staged, values)) if edge.wants_state else None
    decision = _decide(edge.condition, out, view, edge.wants_state, flow, node.name)
    if edge.kind == "when":
        targets: Sequence[int] = edge.targets if decision else ()
    else:
        targets = _route(edge.route_map, decision, flow, node.name)
    if len(targets) < 2:
        return tuple(targets)
    return tuple(sorted(set(targets)))


def _decide(condition: Callable[..., Any] | None, out: Mapping[str, Any], view: State | None,
            wants_state: bool, flow: str, node: str) -> Any:
    assert condition is not None
    try:
        return condition(out, view) if wants_state else condition(out)
    except LiteflowError:
        raise
    except Exception as exc:
        raise ConditionError(flow=flow, node=node,
                             error=f"{type(exc).__name__}: {exc}") from exc


def _route(route_map: Mapping[str, tuple[int, ...]], decision: Any, flow: str,
           node: str) -> list[int]:
    keys = decision if isinstance(decision, list | tuple | set | frozenset) else (decision,)
    targets: list[int] = []
    for key in keys:
        found = route_map.get(key) if isinstance(key, str) else None
        if found is None:
            raise RouteError(flow=flow, node=node, key=repr(key), options=", ".join(route_map),
                             hint=did_you_mean(str(key), route_map))
        targets.extend(found)
    return targets
