"""Live updates: subscribers of Server-Sent Events, and the store tail that feeds them.

Runs may happen in another process, so the tail reads the store itself: every
`interval` seconds it lists the threads (one cheap query), and for a thread whose head,
status or update time moved it reads the history and publishes each new committed step
(`step`), status changes (`run`) and questions (`interrupt`). Events of runs this server
starts (`node`, `run`) are published directly by the run.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..checkpoint import Checkpointer
from ._data import head_of, interrupts_json, step_json, thread_json
from ._graph import nodes_of_shape

__all__ = ["Hub", "Subscriber", "Tail"]


@dataclass(eq=False)
class Subscriber:
    """One open event stream: `thread` None receives every thread's events."""

    thread: str | None
    events: queue.Queue[str | None] = field(default_factory=queue.Queue)


class Hub:
    """Fan-out of events to subscribers; safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, thread: str | None) -> Subscriber:
        sub = Subscriber(thread)
        with self._lock:
            self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            if sub in self._subscribers:
                self._subscribers.remove(sub)

    def publish(self, kind: str, thread: str, data: dict[str, Any],
                event_id: str | None = None) -> None:
        """Send one SSE event (`event: kind`) to the subscribers of `thread`."""
        lines = [f"event: {kind}"]
        if event_id is not None:
            lines.append(f"id: {event_id}")
        lines.append("data: " + json.dumps(data, ensure_ascii=False))
        message = "\n".join(lines) + "\n\n"
        with self._lock:
            targets = [s for s in self._subscribers if s.thread in (None, thread)]
        for sub in targets:
            sub.events.put(message)

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        with self._lock:
            subs, self._subscribers = self._subscribers, []
        for sub in subs:
            sub.events.put(None)


class Tail(threading.Thread):
    """Polls the store and publishes what changed since the last look."""

    def __init__(self, store: Checkpointer, hub: Hub, call: Callable[..., Any],
                 interval: float = 0.2) -> None:
        super().__init__(name="liteflow-ui-tail", daemon=True)
        self.store = store
        self.hub = hub
        self.call = call  # runs a store function on the server's store workers
        self.interval = interval
        self.stopping = threading.Event()
        self._seen: dict[str, tuple[Any, ...]] = {}
        self._steps: dict[str, set[str]] = {}
        self._newest: tuple[Any, ...] = ()

    def prime(self) -> None:
        """Remember what the store holds now (called before serving: whatever is
        committed after this is published)."""
        self.call(self.poll, True)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.call(self.poll)
            except Exception:
                pass  # a store busy or closing: try again on the next tick

    def poll(self, baseline: bool = False) -> None:
        """One look at the store (`baseline`: remember what is there, publish nothing).

        Every commit, status change or fork moves its thread's update time, and threads
        come most recent first: while the newest one is unchanged, nothing changed.
        """
        newest = self.store.threads(limit=1)
        top = tuple((t.thread_id, t.updated_at, t.status, t.step) for t in newest)
        if top == self._newest and not baseline:
            return
        self._newest = top
        for info in self.store.threads(limit=100000):
            tid = info.thread_id
            marker = (info.status, info.step, info.branches, info.updated_at)
            if self._seen.get(tid) == marker:
                continue
            before = self._seen.get(tid)
            self._seen[tid] = marker
            seen = self._steps.setdefault(tid, set())
            history = self.store.history(tid)
            if baseline:
                seen.update(i.checkpoint_id for i in history)
                continue
            for item in history:
                if item.checkpoint_id not in seen:
                    seen.add(item.checkpoint_id)
                    data = step_json(self.store, tid, item)
                    self.hub.publish("step", tid, data, data["id"])
            if before is None or before[0] != info.status:
                self.hub.publish("run", tid, {**thread_json(info), "source": "store"})
                if info.status == "interrupted":
                    head = head_of(self.store, tid)
                    names = [n for n, _kind in nodes_of_shape(head.shape)] if head else []
                    self.hub.publish("interrupt", tid, {
                        "thread_id": tid,
                        "interrupts": interrupts_json(self.store, tid, names)})

    def stop(self) -> None:
        self.stopping.set()
