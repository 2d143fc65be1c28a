"""What the JSON API returns, read from a checkpoint store: small functions, no HTTP.

Each function takes the store (and, for a thread's graph, the plan of the module's flow
of that name when there is one) and returns JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..checkpoint import Checkpointer, CheckpointInfo, ThreadInfo
from ..plan import Plan
from ._graph import graph_from_plan, graph_from_shape, nodes_of_shape, strategies_of_shape
from ._values import LIMIT, bounded, diff_values, to_json

__all__ = ["head_of", "interrupts_json", "node_states", "state_at", "step_json", "steps_of",
           "thread_detail", "thread_json", "threads_json"]


def head_of(store: Checkpointer, thread_id: str) -> Any:
    """The thread's head (`ThreadHead`) or None; every SQL store has `head()`."""
    head = getattr(store, "head", None)
    return head(thread_id) if callable(head) else None


def thread_json(info: ThreadInfo) -> dict[str, Any]:
    return {"thread_id": info.thread_id, "flow": info.flow, "status": info.status,
            "step": info.step, "branches": list(info.branches),
            "updated_at": info.updated_at.isoformat(), "nbytes": info.nbytes}


def threads_json(store: Checkpointer, limit: int = 500) -> list[dict[str, Any]]:
    return [thread_json(t) for t in store.threads(limit=limit)]


def step_json(store: Checkpointer, thread_id: str, info: CheckpointInfo) -> dict[str, Any]:
    """One timeline row: the step, its calls with durations, written keys and bytes."""
    runs = getattr(store, "node_runs", None)
    calls = runs(thread_id, info.branch, info.step) if callable(runs) else []
    if calls:
        nodes = [{"name": c[0], "instance": c[1], "duration": c[2], "attempts": c[3],
                  "restored": bool(c[4])} for c in calls]
    else:
        nodes = [{"name": n, "instance": 0, "duration": None, "attempts": 1,
                  "restored": False} for n in info.nodes]
    return {"thread_id": thread_id, "id": f"{thread_id}:{info.checkpoint_id}",
            "branch": info.branch, "step": info.step, "kind": info.kind, "nodes": nodes,
            "written_keys": list(info.written_keys), "next_nodes": list(info.next_nodes),
            "nbytes": info.nbytes, "created_at": info.created_at.isoformat(),
            "interrupts": list(info.interrupts)}


def steps_of(store: Checkpointer, thread_id: str,
             branch: str | None = None) -> list[dict[str, Any]]:
    """The steps of `branch`'s lineage (default: the head's branch), oldest first."""
    if branch is None:
        head = head_of(store, thread_id)
        branch = head.branch if head is not None else None
    rows = store.history(thread_id, branch=branch)
    # A fork's own row repeats the step it continues from: the timeline keeps the step.
    rows = [r for i, r in enumerate(rows)
            if not (r.kind == "fork" and i > 0 and rows[i - 1].step == r.step)]
    return [step_json(store, thread_id, r) for r in rows]


def _names(head: Any, plan: Plan | None) -> list[str]:
    if plan is not None:
        return list(plan.node_names)
    return [name for name, _kind in nodes_of_shape(head.shape)] if head is not None else []


def node_states(store: Checkpointer, thread_id: str, plan: Plan | None,
                live: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each node's state at the head: idle, running, done, failed, interrupted, restored.

    Done: it ran in a committed step of the head's lineage. At the head, what happens
    next depends on the thread: running (calls not finished yet), failed, interrupted
    (the calls that asked). `live` (node events of a run this server started) wins.
    """
    head = head_of(store, thread_id)
    names = _names(head, plan)
    states = dict.fromkeys(names, "idle")
    branch = head.branch if head is not None else None
    for step in steps_of(store, thread_id, branch):
        for call in step["nodes"]:
            if call["name"] in states:
                states[call["name"]] = "restored" if call["restored"] else "done"
    loaded = store.load(thread_id)
    finished = {node for node, _instance in loaded.pending}
    asked = {i.node for i in loaded.interrupts}
    for index in loaded.active:
        if index >= len(names):
            continue
        name = names[index]
        if index in asked:
            states[name] = "interrupted"
        elif index in finished:
            states[name] = "done"
        elif loaded.status == "running":
            states[name] = "running"
        elif loaded.status == "failed":
            states[name] = "failed"
    for name, state in (live or {}).items():
        if name in states:
            states[name] = state
    return states


def interrupts_json(store: Checkpointer, thread_id: str, names: list[str]) -> list[Any]:
    loaded = store.load(thread_id)
    return [{"id": i.interrupt_id, "step": i.step,
             "node": names[i.node] if i.node < len(names) else str(i.node),
             "instance": i.instance, "payload": to_json(i.payload), "answered": i.answered}
            for i in loaded.interrupts]


def thread_detail(store: Checkpointer, thread_id: str, plan: Plan | None,
                  live: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Everything the thread view needs in one answer (None: no such thread)."""
    head = head_of(store, thread_id)
    infos = [t for t in store.threads(limit=100000) if t.thread_id == thread_id]
    if not infos:
        return None
    info = infos[0]
    names = _names(head, plan)
    graph = graph_from_plan(plan) if plan is not None else (
        graph_from_shape(head.shape) if head is not None else {"nodes": [], "edges": []})
    return {**thread_json(info), "branch": head.branch if head is not None else None,
            "flow_version": head.flow_version if head is not None else None,
            "graph": graph, "node_states": node_states(store, thread_id, plan, live),
            "interrupts": interrupts_json(store, thread_id, names),
            "forks": _forks(store, thread_id)}


def _forks(store: Checkpointer, thread_id: str) -> list[dict[str, Any]]:
    """Every branch but main, with the step it was forked at."""
    return [{"branch": i.branch, "step": i.step, "created_at": i.created_at.isoformat()}
            for i in store.history(thread_id) if i.kind == "fork"]


def state_at(store: Checkpointer, thread_id: str, step: int | None, branch: str | None,
             full: bool = False) -> dict[str, Any]:
    """The state after `step` and what that step changed (its written keys)."""
    limit = None if full else LIMIT
    after = store.load(thread_id, branch=branch, step=step)
    rows = store.history(thread_id, branch=after.branch)
    same = [r for r in rows if r.step == after.step]
    written = list(same[-1].written_keys) if same else []
    earlier = [r.step for r in rows if r.step < after.step]
    before = (store.load(thread_id, branch=after.branch, step=earlier[-1]).values
              if earlier else {})
    head = head_of(store, thread_id)
    strategies = strategies_of_shape(head.shape) if head is not None else {}
    appended = frozenset(k for k, s in strategies.items() if s == "append")
    return {"thread_id": thread_id, "branch": after.branch, "step": after.step,
            "kind": after.kind,
            "values": {k: bounded(v, limit) for k, v in after.values.items()},
            "diff": diff_values(before, after.values, written, appended, limit)}
