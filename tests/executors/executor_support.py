"""Helpers of the executor tests.

Ray tests run inside a network namespace that has nothing but loopback.

Ray binds the machine's external address even when told 127.0.0.1; in a fresh namespace
(`unshare -n`, then `ip link set lo up`) there is no other interface, so every Ray process
listens on and talks over 127.0.0.1 only, and no packet can leave. Outside such a
namespace the Ray tests are deselected and one test (`test_ray_namespace.py`) runs them in
one: a plain `pytest` covers them, in their own pytest process with one shared cluster.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from liteflow.core.events import (
    CustomEvent,
    NodeFailed,
    NodeFinished,
    NodeRetrying,
    RunFinished,
    RunStarted,
    SuperStepEvent,
)

HERE = Path(__file__).resolve().parent
RAY_FILES = ("test_ray.py",)
REQUIRED = os.environ.get("LITEFLOW_CI") == "1"


def loopback_only() -> bool:
    """Whether this process sees no network interface but `lo`."""
    # Not /sys/class/net: sysfs shows the namespace it was mounted in, not this one.
    try:
        return [name for _, name in socket.if_nameindex()] == ["lo"]
    except OSError:
        return False


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail where the tests must run (`LITEFLOW_CI=1`)."""
    if REQUIRED:
        pytest.fail(f"{reason} (LITEFLOW_CI=1: these tests must run)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)




def describe(event: Any) -> tuple[Any, ...]:
    """What must be the same of an event whichever executor ran the call."""
    kind = type(event).__name__
    if isinstance(event, SuperStepEvent):
        return (kind, event.flow, event.superstep, event.completed_nodes,
                event.written_keys)
    if isinstance(event, RunStarted):
        return (kind, event.flow, tuple(sorted(event.inputs)))
    if isinstance(event, RunFinished):
        return (kind, event.flow, repr(event.result.output))
    extra: tuple[Any, ...] = ()
    if isinstance(event, NodeFinished):
        extra = (repr(sorted(event.outputs.items())),)
    elif isinstance(event, CustomEvent):
        extra = (event.name, repr(event.data))
    elif isinstance(event, NodeRetrying):
        extra = (event.attempt, type(event.error).__name__)
    elif isinstance(event, NodeFailed):
        extra = (event.attempts, type(event.error).__name__)
    return (kind, event.flow, getattr(event, "node", None), getattr(event, "superstep", None),
            *extra)


def event_shape(events: list[Any]) -> list[Any]:
    """The events as the same for every executor: run and superstep events in place; between
    two of them the node events as a multiset, and in the exact order for a node called once
    (calls of one superstep may finish in any order, a call's own events may not)."""
    shape: list[Any] = []
    segment: list[Any] = []

    def close() -> None:
        if not segment:
            return
        by_node: dict[Any, list[Any]] = {}
        for found in segment:
            by_node.setdefault(found[1:3], []).append(found)
        shape.append(sorted(map(repr, segment)))
        for key, group in sorted(by_node.items(), key=repr):
            if sum(1 for g in group if g[0] == "NodeStarted") <= 1:
                shape.append((key, group))
        segment.clear()

    top = None
    for event in events:
        found = describe(event)
        if isinstance(event, RunStarted) and top is None:
            top = event.flow
        if isinstance(event, RunStarted | RunFinished | SuperStepEvent) and event.flow == top:
            close()
            shape.append(found)
        else:
            segment.append(found)
    close()
    return shape


def run_with(flow: Any, executor: Any, inputs: dict[str, Any],
             **options: Any) -> tuple[Any, list[Any]]:
    """The result and the events of running `flow` on `executor`."""
    events: list[Any] = []
    result = flow.with_options(executor=executor, on_event=events.append, **options).run(**inputs)
    return result, events
