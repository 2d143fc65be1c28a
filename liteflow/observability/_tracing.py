"""OpenTelemetry spans of a run (imported only when tracing is on; needs `liteflow[otel]`).

`invoke_workflow {flow}` → `superstep {k}` → `node {name}`, each made current while it
lasts, so spans of chat models and tools called inside a node nest under it, also on the
thread pool (sync calls run in a copy of the caller's context).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from . import _semconv as sc

__all__ = ["Tracing", "global_provider", "tracer_of"]


def global_provider() -> Any:
    return trace.get_tracer_provider()


def tracer_of(provider: Any) -> trace.Tracer:
    """liteflow's tracer from `provider` (None: the global provider)."""
    from .. import __version__

    return trace.get_tracer(sc.SCOPE, __version__, tracer_provider=provider,
                            schema_url=sc.SCHEMA_URL)


def _end(span: trace.Span, error: BaseException | None) -> None:
    if error is not None:
        if isinstance(error, Exception):
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            span.set_attribute(sc.ERROR_TYPE, type(error).__qualname__)
        else:  # a question to a person, a cancellation: not a failure
            span.set_attribute(sc.NODE_INTERRUPTED, True)
    span.end()


class Tracing:
    """The spans of one run. Supersteps of a run are sequential, so the open superstep
    span lives here; node spans are handed back to the caller (calls run in parallel)."""

    __slots__ = ("_run", "_run_token", "_step", "_step_token", "flow", "tracer")

    def __init__(self, provider: Any = None) -> None:
        self.tracer = tracer_of(provider)
        self.flow = ""
        self._run: trace.Span | None = None
        self._run_token: Any = None
        self._step: trace.Span | None = None
        self._step_token: Any = None

    def run_started(self, flow: str, run_id: str, thread_id: str | None,
                    version: str | None, fingerprint: str, resumed_from: int | None) -> None:
        self.flow = flow
        attributes: dict[str, Any] = {
            sc.OPERATION: "invoke_workflow",
            sc.WORKFLOW_NAME: flow,
            sc.RUN_ID: run_id,
            sc.PLAN_FINGERPRINT: fingerprint,
        }
        if thread_id is not None:
            attributes[sc.CONVERSATION_ID] = thread_id
        if version is not None:
            attributes[sc.FLOW_VERSION] = version
        if resumed_from is not None:
            attributes[sc.RESUMED_FROM] = resumed_from
        span = self.tracer.start_span(f"invoke_workflow {flow}", kind=SpanKind.INTERNAL,
                                      attributes=attributes)
        self._run = span
        self._run_token = otel_context.attach(trace.set_span_in_context(span))

    def run_finished(self, status: str, supersteps: int, error: BaseException | None) -> None:
        self._close_step(error)
        span = self._run
        if span is None:
            return
        span.set_attribute(sc.RUN_STATUS, "failed" if isinstance(error, Exception) else status)
        span.set_attribute(sc.RUN_SUPERSTEPS, supersteps)
        otel_context.detach(self._run_token)
        self._run = self._run_token = None
        _end(span, error)

    def step_started(self, superstep: int, nodes: Sequence[str]) -> None:
        self._close_step(None)
        span = self.tracer.start_span(f"superstep {superstep}", kind=SpanKind.INTERNAL,
                                      attributes={sc.SUPERSTEP: superstep,
                                                  sc.SUPERSTEP_NODES: list(nodes)})
        self._step = span
        self._step_token = otel_context.attach(trace.set_span_in_context(span))

    def step_finished(self, written: Sequence[str]) -> None:
        if self._step is not None:
            self._step.set_attribute(sc.SUPERSTEP_WRITTEN, list(written))
        self._close_step(None)

    def _close_step(self, error: BaseException | None) -> None:
        span = self._step
        if span is None:
            return
        otel_context.detach(self._step_token)
        self._step = self._step_token = None
        _end(span, error)

    def checkpoint_saved(self, nbytes: int, seconds: float) -> None:
        if self._step is not None:
            self._step.set_attribute(sc.CHECKPOINT_BYTES, nbytes)
            self._step.set_attribute(sc.CHECKPOINT_SECONDS, seconds)

    def node_started(self, node: str, superstep: int, instance: int) -> Any:
        span = self.tracer.start_span(f"node {node}", kind=SpanKind.INTERNAL,
                                      attributes={sc.NODE_NAME: node, sc.SUPERSTEP: superstep,
                                                  sc.NODE_INSTANCE: instance})
        return span, otel_context.attach(trace.set_span_in_context(span))

    def node_ended(self, handle: Any, attempts: int, error: BaseException | None) -> None:
        span, token = handle
        span.set_attribute(sc.NODE_ATTEMPTS, attempts)
        otel_context.detach(token)
        _end(span, error)

    def node_retrying(self, attempt: int, wait: float, error: BaseException) -> None:
        # Called inside the node's call, so its span is the current one.
        trace.get_current_span().add_event("retry", {
            sc.RETRY_ATTEMPT: attempt, sc.RETRY_WAIT: wait,
            "exception.type": type(error).__qualname__, "exception.message": str(error)})

    def node_restored(self, node: str, superstep: int, instance: int) -> None:
        self.tracer.start_span(f"node {node}", kind=SpanKind.INTERNAL, attributes={
            sc.NODE_NAME: node, sc.SUPERSTEP: superstep, sc.NODE_INSTANCE: instance,
            sc.NODE_RESTORED: True, sc.NODE_ATTEMPTS: 0}).end()
