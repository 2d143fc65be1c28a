"""`ChatOpenAI`: chat models on the official `openai` SDK.

Retries on 429 and 5xx are the SDK's own (`max_retries`); `timeout=` bounds the whole
call. The async methods hold the logic; the sync ones run them on a background loop.
Inside a running flow, every streamed piece of text is also published as a token event
tagged with the running node.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ..core.context import current_context
from ..core.errors import ChatModelError
from ..core.reprs import short_repr
from ..observability._genai import observe_chat
from . import _transport
from ._messages import AIMessage, AIMessageChunk, MessageLike, to_openai_messages
from ._registry import ToolRegistry
from ._structured import StructuredChatModel
from ._threads import iterate_sync, run_sync
from ._tools import BaseTool
from ._wire import Source

__all__ = ["ChatOpenAI"]

T = TypeVar("T")


class ChatOpenAI:
    """A chat model served by the OpenAI API or any OpenAI-compatible endpoint.

    `api_key` and `base_url` default to `OPENAI_API_KEY` and `OPENAI_BASE_URL`::

        llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
        reply = llm.invoke("用一句话介绍杭州")
        print(reply.content, reply.usage)

    `timeout` (seconds, default 300, None for none) bounds each whole call — connecting,
    the SDK's retries, the first byte and the last — however slowly the server sends; a
    reasoning model that thinks for minutes may need more. A reply that
    cannot be used raises `ChatModelError` naming the model, the URL and what was wrong.
    """

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        timeout: float | None = 300.0,
        max_retries: int = 2,
        stream_usage: bool = True,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stream_usage = stream_usage
        self.extra_body = dict(extra_body or {})
        self._clients = _transport.Clients(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )
        self._tools: ToolRegistry | None = None
        self._tool_choice: str | dict[str, Any] | None = None
        self._response_format: dict[str, Any] | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def tools(self) -> ToolRegistry | None:
        """The tools bound with `bind_tools`, if any."""
        return self._tools

    def bind_tools(
        self,
        tools: ToolRegistry | Iterable[BaseTool | Callable[..., Any]],
        *,
        tool_choice: str | None = None,
    ) -> ChatOpenAI:
        """A copy of this model that offers `tools` to the model on every call.

        `tool_choice` is "auto" (default), "required", "none", or a tool name to force.
        """
        bound = copy.copy(self)
        bound._tools = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
        if tool_choice is None or tool_choice in ("auto", "required", "none"):
            bound._tool_choice = tool_choice
        else:
            wire = bound._tools.get(tool_choice).wire_name
            bound._tool_choice = {"type": "function", "function": {"name": wire}}
        return bound

    def with_structured_output(
        self, schema: type[T], *, name: str | None = None, strict: bool | None = None
    ) -> StructuredChatModel[T]:
        """A model whose `invoke` returns an instance of `schema` (a TypedDict, a pydantic
        model, a dataclass ...).

        The reply is requested as JSON matching the schema and validated with pydantic::

            class 城市信息(TypedDict):
                名称: str
                人口: int

            info = llm.with_structured_output(城市信息).invoke("介绍一下杭州")
        """
        return StructuredChatModel(self, schema, name=name, strict=strict)

    def _with_response_format(self, response_format: dict[str, Any]) -> ChatOpenAI:
        configured = copy.copy(self)
        configured._response_format = response_format
        return configured

    def _params(
        self, messages: str | Sequence[MessageLike], stream: bool, extra: Mapping[str, Any]
    ) -> dict[str, Any]:
        try:
            wire_messages = to_openai_messages(messages)
        except TypeError as exc:
            raise ChatModelError(
                "chat.bad_message", model=self.model, value=short_repr(exc.args[0])
            ) from None
        params: dict[str, Any] = {"model": self.model, "messages": wire_messages}
        if self.temperature is not None:
            params["temperature"] = self.temperature
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if self._tools is not None and len(self._tools):
            params["tools"] = self._tools.openai_tools()
            if self._tool_choice is not None:
                params["tool_choice"] = self._tool_choice
        if self._response_format is not None:
            params["response_format"] = self._response_format
        if stream:
            params["stream"] = True
            if self.stream_usage:
                params["stream_options"] = {"include_usage": True}
        if self.extra_body:
            params["extra_body"] = self.extra_body
        params.update(extra)
        return params

    # -- calls ------------------------------------------------------------------------------

    def _source(self) -> Source:
        return Source(self.model, self._clients.url())

    async def ainvoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> AIMessage:
        """Send the conversation and return the reply.

        `messages` is a string (one user message) or a list of messages; extra keyword
        arguments are passed to `chat.completions.create` (e.g. `stop=[...]`).
        """
        params = self._params(messages, False, kwargs)
        with observe_chat(self.model, self._clients.url(), params) as observed:
            reply = await _transport.complete(self._clients, self._source(), params)
            observed.reply(reply)
        return reply

    def invoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> AIMessage:
        """Sync `ainvoke`."""
        return run_sync(self.ainvoke(messages, **kwargs))

    async def astream(
        self, messages: str | Sequence[MessageLike], **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """Send the conversation and yield the reply piece by piece.

        Inside a running flow each piece of text is also a token event of the node.
        `merge_chunks(chunks)` assembles the pieces into the complete `AIMessage`.
        """
        params = self._params(messages, True, kwargs)
        context = current_context()
        with observe_chat(self.model, self._clients.url(), params) as observed:
            async for chunk in _transport.stream(self._clients, self._source(), params):
                observed.chunk(chunk)
                if chunk.content and context is not None:
                    context.emit_token(chunk.content)
                yield chunk

    def stream(
        self, messages: str | Sequence[MessageLike], **kwargs: Any
    ) -> Iterator[AIMessageChunk]:
        """Sync `astream`."""
        return iterate_sync(self.astream(messages, **kwargs))

    def __repr__(self) -> str:
        tools = f", tools={list(self._tools.names)!r}" if self._tools else ""
        return f"ChatOpenAI(model={self.model!r}{tools})"
