"""The module's flows, and runs this server starts, resumes or forks on the store.

A run goes on in its own thread; the POST that started it answers once the run has
started (or failed to start: bad inputs, a thread already running ...). While it runs,
its node events go straight to the page (`node` events) and update the live node
states the thread view overlays on what the store says.
"""

from __future__ import annotations

import inspect
import threading
import uuid
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from ..checkpoint import Checkpointer
from ..core.errors import LiteflowError, UIError
from ..core.events import (
    Event,
    NodeFailed,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
)
from ..definitions._runnable import Runnable
from ._graph import graph_from_plan
from ._hub import Hub

__all__ = ["Runs", "flow_json", "flows_of"]

_START_WAIT = 10.0  # seconds a POST waits for its run to start


def flows_of(module: ModuleType | None) -> dict[str, Runnable[Any, Any]]:
    """The runnable flows of `module` by flow name (those that compile)."""
    found: dict[str, Runnable[Any, Any]] = {}
    if module is None:
        return found
    for obj in vars(module).values():
        if isinstance(obj, Runnable) and not any(
                d.severity == "error" for d in obj.diagnostics):
            found.setdefault(obj.name, obj)
    return found


def flow_json(flow: Runnable[Any, Any]) -> dict[str, Any]:
    plan = flow.plan
    return {"name": flow.name, "version": plan.version,
            "inputs": [{"key": i.key, "type": i.type_name, "required": i.required}
                       for i in plan.inputs],
            "outputs": [{"key": o.key, "type": o.type_name} for o in plan.outputs],
            "open_inputs": plan.open_inputs, "graph": graph_from_plan(plan)}


class Runs:
    """Starts runs in threads and remembers the live node states of each thread."""

    def __init__(self, flows: Mapping[str, Runnable[Any, Any]], store: Checkpointer,
                 hub: Hub) -> None:
        self.flows = flows
        self.store = store
        self.hub = hub
        self._lock = threading.Lock()
        self._live: dict[str, dict[str, str]] = {}
        self._running: dict[str, threading.Thread] = {}

    def live(self, thread_id: str) -> dict[str, str]:
        with self._lock:
            return dict(self._live.get(thread_id, {}))

    def flow(self, name: str) -> Runnable[Any, Any]:
        found = self.flows.get(name)
        if found is None:
            raise UIError("ui.flow_unknown", flow=name, known=", ".join(self.flows) or "-")
        return found

    def start(self, flow_name: str, inputs: Mapping[str, Any],
              thread_id: str | None) -> dict[str, Any]:
        """Run `flow_name` with `inputs` on `thread_id` (a new id when None)."""
        flow = self.flow(flow_name)
        tid = thread_id or f"{flow_name}-{uuid.uuid4().hex[:8]}"
        return self._launch(tid, flow, lambda f: f.run(**dict(inputs)))

    def resume(self, thread_id: str, value: Any, has_value: bool) -> dict[str, Any]:
        """Continue `thread_id` (with `value` as the answer when given)."""
        flow = self._flow_of(thread_id)
        if not has_value:
            return self._launch(thread_id, flow, lambda f: f.resume())
        if "value" not in inspect.signature(flow.resume).parameters:
            raise UIError("ui.resume_value_unsupported", thread=thread_id)
        return self._launch(thread_id, flow, lambda f: f.resume(value=value))

    def fork(self, thread_id: str, step: int) -> dict[str, Any]:
        """A new branch after `step` of the head's branch, then continue on it."""
        flow = self._flow_of(thread_id)
        branch = self.store.fork(thread_id, at_step=step)
        # A fork of a completed thread is still marked completed, and resume() would
        # have nothing to do: the new branch has work left, so mark it unfinished.
        if self.store.load(thread_id).active:
            self.store.set_status(thread_id, "running")
        answer = self._launch(thread_id, flow, lambda f: f.resume())
        return {**answer, "branch": branch}

    def _flow_of(self, thread_id: str) -> Runnable[Any, Any]:
        found = [t for t in self.store.threads(limit=100000) if t.thread_id == thread_id]
        if not found:
            raise UIError("ui.thread_unknown", thread=thread_id)
        return self.flow(found[0].flow)

    def _launch(self, thread_id: str, flow: Runnable[Any, Any],
                call: Any) -> dict[str, Any]:
        with self._lock:
            current = self._running.get(thread_id)
            if current is not None and current.is_alive():
                raise UIError("ui.thread_busy", thread=thread_id)
            self._live[thread_id] = {}
        started = threading.Event()
        failure: list[BaseException] = []
        run_ids: list[str] = []

        def listen(event: Event) -> None:
            self._on_event(thread_id, event)
            if isinstance(event, RunStarted):
                run_ids.append(event.run_id)
                started.set()

        configured = flow.with_options(thread_id=thread_id, checkpointer=self.store,
                                       on_event=listen)

        def work() -> None:
            try:
                call(configured)
            except BaseException as error:  # shown on the page, never raised in a thread
                failure.append(error)
                self.hub.publish("run", thread_id, {
                    "thread_id": thread_id, "status": "failed", "source": "ui",
                    "error": str(error) if isinstance(error, LiteflowError)
                    else f"{type(error).__name__}: {error}"})
            finally:
                with self._lock:  # the run is over: the store says the rest
                    self._live.pop(thread_id, None)
                started.set()

        worker = threading.Thread(target=work, name=f"liteflow-ui-run-{thread_id}",
                                  daemon=True)
        with self._lock:
            self._running[thread_id] = worker
        worker.start()
        started.wait(_START_WAIT)
        if failure and not run_ids:
            error = failure[0]
            if isinstance(error, LiteflowError):
                raise error
            raise UIError("ui.run_failed", thread=thread_id,
                          error=f"{type(error).__name__}: {error}")
        return {"thread_id": thread_id, "flow": flow.name,
                "run_id": run_ids[0] if run_ids else None, "status": "running"}

    def _on_event(self, thread_id: str, event: Event) -> None:
        state = None
        if isinstance(event, NodeStarted):
            state = "running"
        elif isinstance(event, NodeFinished):
            state = "done"
        elif isinstance(event, NodeFailed):
            state = "failed"
        if state is not None:
            node = getattr(event, "node", "")
            with self._lock:
                self._live.setdefault(thread_id, {})[node] = state
            self.hub.publish("node", thread_id, {
                "thread_id": thread_id, "node": node, "status": state,
                "superstep": getattr(event, "superstep", None),
                "duration": getattr(event, "duration", None)})
        elif isinstance(event, RunStarted | RunFinished):
            status = "running" if isinstance(event, RunStarted) else "completed"
            if isinstance(event, RunFinished):
                with self._lock:
                    self._live.pop(thread_id, None)
            self.hub.publish("run", thread_id, {"thread_id": thread_id, "status": status,
                                                "source": "ui", "run_id": event.run_id})

    def join(self, timeout: float) -> None:
        """Wait a little for runs in progress (the server is stopping)."""
        with self._lock:
            workers = list(self._running.values())
        for worker in workers:
            worker.join(timeout)
