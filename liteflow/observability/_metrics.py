"""Per-node run metrics (`with_options(metrics=True)` → `RunResult.metrics`).

Collected by direct calls from the engine, not from events: no event object is built for
them, and a node call costs two clock reads and a few additions under a lock (sync nodes
of one superstep finish on several pool threads at once).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["MetricsCollector", "NodeMetrics", "RunMetrics"]


class NodeMetrics(NamedTuple):
    """What the calls of one node did in one run.

    `calls` counts finished and failed calls (each `each` instance is a call; retries are
    not extra calls), `restored` calls whose outputs were kept from before a crash or an
    interrupt, `cached` calls answered by the node cache. Times are seconds per call,
    retries and waits included; tokens come from the chat models the node called.
    (A named tuple: a run builds one per node, and a tuple is the cheapest record.)
    """

    calls: int = 0
    failures: int = 0
    retries: int = 0
    cached: int = 0
    restored: int = 0
    total_s: float = 0.0
    mean_s: float = 0.0
    max_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """The metrics of one run: supersteps, wall time, per-node figures (in the order the
    nodes first ran) and the checkpoint bytes and seconds of its supersteps."""

    supersteps: int
    duration: float
    nodes: Mapping[str, NodeMetrics]
    checkpoint_bytes: int = 0
    checkpoint_s: float = 0.0


# Slots of a node's running figures in `MetricsCollector._nodes`.
_CALLS, _FAILURES, _RETRIES, _CACHED, _RESTORED, _TOTAL, _MAX, _IN, _OUT = range(9)


class MetricsCollector:
    """Accumulates one run's figures; `result()` freezes them into a `RunMetrics`."""

    __slots__ = ("_lock", "_nodes", "checkpoint_bytes", "checkpoint_s")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nodes: dict[str, list[Any]] = {}
        self.checkpoint_bytes = 0
        self.checkpoint_s = 0.0

    def _row(self, node: str) -> list[Any]:
        row = self._nodes.get(node)
        if row is None:
            row = self._nodes[node] = [0, 0, 0, 0, 0, 0.0, 0.0, 0, 0]
        return row

    def call(self, node: str, seconds: float, failed: bool) -> None:
        with self._lock:
            row = self._nodes.get(node)
            if row is None:
                row = self._nodes[node] = [0, 0, 0, 0, 0, 0.0, 0.0, 0, 0]
            row[_CALLS] += 1
            row[_TOTAL] += seconds
            if seconds > row[_MAX]:
                row[_MAX] = seconds
            if failed:
                row[_FAILURES] += 1

    def retry(self, node: str) -> None:
        with self._lock:
            self._row(node)[_RETRIES] += 1

    def restored(self, node: str) -> None:
        with self._lock:
            row = self._row(node)
            row[_CALLS] += 1
            row[_RESTORED] += 1

    def cached(self, node: str) -> None:
        with self._lock:
            row = self._row(node)
            row[_CALLS] += 1
            row[_CACHED] += 1

    def tokens(self, node: str, tokens_in: int, tokens_out: int) -> None:
        with self._lock:
            row = self._row(node)
            row[_IN] += tokens_in
            row[_OUT] += tokens_out

    def checkpoint(self, nbytes: int, seconds: float) -> None:
        with self._lock:
            self.checkpoint_bytes += nbytes
            self.checkpoint_s += seconds

    def result(self, supersteps: int, duration: float) -> RunMetrics:
        with self._lock:
            nodes = {name: _frozen(row) for name, row in self._nodes.items()}
            return RunMetrics(supersteps, duration, nodes, self.checkpoint_bytes,
                              self.checkpoint_s)


def _frozen(row: list[Any]) -> NodeMetrics:
    calls, failures, retries, cached, restored, total, longest, tokens_in, tokens_out = row
    ran = calls - restored - cached
    return NodeMetrics(calls, failures, retries, cached, restored, total,
                       total / ran if ran > 0 else 0.0, longest, tokens_in, tokens_out)
