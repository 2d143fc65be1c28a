"""Chat model and tool calls observed: `chat {model}` / `execute_tool {tool}` spans and
token counts for the run's metrics.

Used by `liteflow.components`. When the call is neither traced (no traced run around it,
no `instrument()`) nor measured, `observe_chat`/`observe_tool` return a shared do-nothing
object: no span, no OpenTelemetry import.
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ..core.context import current_call
from . import _semconv as sc
from ._state import capture_content, instrumented

__all__ = ["observe_chat", "observe_tool"]


def _surroundings() -> tuple[Any, str]:
    """The hooks of the run whose node is calling (or None) and that node's name."""
    cell = current_call.get()
    if cell is None or not cell.busy or cell.run is None:
        return None, ""
    return cell.run.hooks, cell.node


def _tracer(hooks: Any) -> Any:
    tracing = getattr(hooks, "tracing", None)
    if tracing is not None:
        return tracing.tracer
    provider = instrumented()
    if provider is None:
        return None
    from ._tracing import tracer_of

    return tracer_of(provider)


class _Nothing:
    """Observes nothing (tracing and metrics off)."""

    __slots__ = ()

    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def reply(self, message: Any) -> None:
        return None

    def chunk(self, chunk: Any) -> None:
        return None


_NOTHING = _Nothing()


def _truncated(value: str) -> str:
    return value if len(value) <= sc.CONTENT_LIMIT else value[: sc.CONTENT_LIMIT] + "…"


class _ChatCall:
    """One chat completion: its span (when traced) and its tokens (when measured)."""

    __slots__ = ("chunks", "content", "finish", "hooks", "node", "span", "usage")

    def __init__(self, span: Any, hooks: Any, node: str) -> None:
        self.span = span
        self.hooks = hooks
        self.node = node
        self.chunks = 0
        self.content: list[str] = []
        self.usage: Any = None
        self.finish: Any = None

    def __enter__(self) -> _ChatCall:
        return self

    def reply(self, message: Any) -> None:
        """The whole reply (`AIMessage`)."""
        self.usage = message.usage
        self.finish = message.finish_reason
        if message.content:
            self.content.append(message.content)
        span = self.span
        if span is not None and message.id:
            span.set_attribute(sc.RESPONSE_ID, message.id)

    def chunk(self, chunk: Any) -> None:
        """One streamed piece (`AIMessageChunk`)."""
        self.chunks += 1
        if chunk.content:
            self.content.append(chunk.content)
        if chunk.usage is not None:
            self.usage = chunk.usage
        if chunk.finish_reason:
            self.finish = chunk.finish_reason

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        usage = self.usage
        tokens_in = getattr(usage, "prompt_tokens", None) or 0
        tokens_out = getattr(usage, "completion_tokens", None) or 0
        if self.hooks is not None and (tokens_in or tokens_out):
            self.hooks.tokens(self.node, tokens_in, tokens_out)
        span = self.span
        if span is None:
            return
        from opentelemetry.trace import Status, StatusCode

        if usage is not None:
            span.set_attribute(sc.INPUT_TOKENS, tokens_in)
            span.set_attribute(sc.OUTPUT_TOKENS, tokens_out)
        if self.finish:
            span.set_attribute(sc.FINISH_REASONS, [str(self.finish)])
        if self.chunks:
            span.set_attribute(sc.CHAT_CHUNKS, self.chunks)
        if self.content and capture_content():
            span.set_attribute(sc.OUTPUT_MESSAGES, _truncated(json.dumps(
                [{"role": "assistant", "parts": [{"type": "text",
                                                  "content": "".join(self.content)}]}],
                ensure_ascii=False)))
        if error is not None and isinstance(error, Exception):
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            span.set_attribute(sc.ERROR_TYPE, type(error).__qualname__)
        span.end()


def observe_chat(model: str, url: str, params: dict[str, Any]) -> _ChatCall | _Nothing:
    """What to wrap one chat completion request (`params`, sent to `url`) in."""
    hooks, node = _surroundings()
    tracer = _tracer(hooks)
    measured = hooks if hooks is not None and hooks.metrics is not None else None
    if tracer is None and measured is None:
        return _NOTHING
    span = None
    if tracer is not None:
        from opentelemetry.trace import SpanKind

        attributes: dict[str, Any] = {sc.OPERATION: "chat", sc.PROVIDER: "openai",
                                      sc.REQUEST_MODEL: model}
        if params.get("temperature") is not None:
            attributes[sc.REQUEST_TEMPERATURE] = params["temperature"]
        if params.get("max_tokens") is not None:
            attributes[sc.REQUEST_MAX_TOKENS] = params["max_tokens"]
        where = urlsplit(url)
        if where.hostname:
            attributes[sc.SERVER_ADDRESS] = where.hostname
            attributes[sc.SERVER_PORT] = where.port or (443 if where.scheme == "https" else 80)
        if capture_content():
            attributes[sc.INPUT_MESSAGES] = _truncated(
                json.dumps(params.get("messages", []), ensure_ascii=False, default=str))
        span = tracer.start_span(f"chat {model}", kind=SpanKind.CLIENT, attributes=attributes)
    return _ChatCall(span, measured, node)


class _ToolCall:
    """One tool call's span, current while the tool runs."""

    __slots__ = ("span", "token")

    def __init__(self, span: Any) -> None:
        self.span = span
        self.token: Any = None

    def __enter__(self) -> _ToolCall:
        from opentelemetry import context, trace

        self.token = context.attach(trace.set_span_in_context(self.span))
        return self

    def reply(self, message: Any) -> None:
        return None

    def chunk(self, chunk: Any) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        from opentelemetry import context
        from opentelemetry.trace import Status, StatusCode

        context.detach(self.token)
        span = self.span
        if error is not None and isinstance(error, Exception):
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            span.set_attribute(sc.ERROR_TYPE, type(error).__qualname__)
        span.end()


def observe_tool(name: str, call_id: str | None = None) -> _ToolCall | _Nothing:
    """What to wrap one tool call in: an `execute_tool {name}` span when traced."""
    hooks, _node = _surroundings()
    tracer = _tracer(hooks)
    if tracer is None:
        return _NOTHING
    attributes: dict[str, Any] = {sc.OPERATION: "execute_tool", sc.TOOL_NAME: name,
                                  sc.TOOL_TYPE: "function"}
    if call_id:
        attributes[sc.TOOL_CALL_ID] = call_id
    return _ToolCall(tracer.start_span(f"execute_tool {name}", attributes=attributes))
