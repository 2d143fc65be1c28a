"""`RunHooks`: what the engine calls for metrics and tracing, when either is on.

A run without both has `RunInfo.hooks` None, and the engine checks that one attribute
before any of these calls; so a plain run makes no call here at all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._metrics import MetricsCollector, RunMetrics
from ._state import instrumented

if TYPE_CHECKING:
    from ._tracing import Tracing

__all__ = ["RunHooks", "hooks_for"]


def hooks_for(metrics: bool | None, tracing: bool | None, parent: Any = None) -> RunHooks | None:
    """The hooks of a run with these options, or None when it needs none. A subflow
    (`parent`: the hooks of the run it belongs to) is traced when its parent is."""
    provider = instrumented()
    traced = bool(tracing) or provider is not None or (
        isinstance(parent, RunHooks) and parent.tracing is not None)
    if not metrics and not traced:
        return None
    tracer = None
    if traced:
        from ._tracing import Tracing

        tracer = Tracing(provider)
    return RunHooks(MetricsCollector() if metrics else None, tracer)


class RunHooks:
    """One run's metrics collector and tracer (either may be None)."""

    __slots__ = ("metrics", "tracing")

    def __init__(self, metrics: MetricsCollector | None, tracing: Tracing | None) -> None:
        self.metrics = metrics
        self.tracing = tracing

    # -- the run -------------------------------------------------------------------------

    def run_started(self, flow: str, run_id: str, thread_id: str | None,
                    version: str | None, fingerprint: str, resumed_from: int | None) -> None:
        if self.tracing is not None:
            self.tracing.run_started(flow, run_id, thread_id, version, fingerprint,
                                     resumed_from)

    def run_finished(self, status: str, supersteps: int, error: BaseException | None) -> None:
        if self.tracing is not None:
            self.tracing.run_finished(status, supersteps, error)

    def result(self, supersteps: int, duration: float) -> RunMetrics | None:
        return None if self.metrics is None else self.metrics.result(supersteps, duration)

    # -- supersteps ------------------------------------------------------------------------

    def step_started(self, superstep: int, nodes: Sequence[str]) -> None:
        if self.tracing is not None:
            self.tracing.step_started(superstep, nodes)

    def step_finished(self, written: Sequence[str]) -> None:
        if self.tracing is not None:
            self.tracing.step_finished(written)

    def checkpoint_saved(self, superstep: int, nbytes: int, seconds: float) -> None:
        if self.metrics is not None:
            self.metrics.checkpoint(nbytes, seconds)
        if self.tracing is not None:
            self.tracing.checkpoint_saved(nbytes, seconds)

    # -- node calls ------------------------------------------------------------------------

    def node_started(self, node: str, superstep: int, instance: int) -> Any:
        """Before a call; returns what `node_ended` needs."""
        span = None if self.tracing is None else self.tracing.node_started(node, superstep,
                                                                          instance)
        return time.perf_counter(), span, False

    def fell_back(self, handle: Any) -> Any:
        """Every attempt failed and the fallback answered: the call counts as a failure."""
        started, span, _ = handle
        return started, span, True

    def node_ended(self, node: str, handle: Any, attempts: int,
                   error: BaseException | None = None) -> None:
        """After a call: `error` is what it raised (a question to a person is no failure)."""
        started, span, fell_back = handle
        if self.metrics is not None and (error is None or isinstance(error, Exception)):
            self.metrics.call(node, time.perf_counter() - started,
                              fell_back or error is not None)
        if span is not None:
            assert self.tracing is not None
            self.tracing.node_ended(span, attempts, error)

    def node_retrying(self, node: str, attempt: int, wait: float, error: BaseException) -> None:
        if self.metrics is not None:
            self.metrics.retry(node)
        if self.tracing is not None:
            self.tracing.node_retrying(attempt, wait, error)

    def node_restored(self, node: str, superstep: int, instance: int) -> None:
        if self.metrics is not None:
            self.metrics.restored(node)
        if self.tracing is not None:
            self.tracing.node_restored(node, superstep, instance)

    def node_cached(self, node: str) -> None:
        if self.metrics is not None:
            self.metrics.cached(node)

    def tokens(self, node: str, tokens_in: int, tokens_out: int) -> None:
        if self.metrics is not None:
            self.metrics.tokens(node, tokens_in, tokens_out)
