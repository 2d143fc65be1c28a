"""`ChatOpenAI`: chat models on the official `openai` SDK (sync and async clients).

Retries on 429 and 5xx are the SDK's own (`max_retries`). Inside a running flow, every
streamed piece of text is also published as a token event tagged with the running node.
"""

from __future__ import annotations

import asyncio
import copy
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NoReturn, TypeVar

import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from ..core.context import current_context
from ..core.errors import ChatModelError
from ..observability._genai import observe_chat
from ._messages import (
    AIMessage,
    AIMessageChunk,
    MessageLike,
    ToolCall,
    ToolCallChunk,
    Usage,
    to_openai_messages,
)
from ._structured import StructuredChatModel
from ._tools import BaseTool, ToolRegistry

__all__ = ["ChatOpenAI"]

T = TypeVar("T")


class _Clients:
    """The SDK clients of one model configuration, created on first use.

    An async client's connection pool belongs to the event loop that used it, so there is
    one async client per loop (a flow's `run()` may start a fresh loop each time).
    """

    def __init__(
        self, *, api_key: str | None, base_url: str | None, timeout: float | None, max_retries: int
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self._sync: openai.OpenAI | None = None
        # Not a WeakKeyDictionary: a client's connections refer to their loop, so a weak key
        # would never die. Clients of closed loops are dropped on the next lookup instead.
        self._async: dict[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # Live clients and the lock stay behind: a copy in another process makes its own.
        return {"api_key": self.api_key, "base_url": self.base_url, "timeout": self.timeout,
                "max_retries": self.max_retries}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def _key(self, model: str) -> str:
        key = self.api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ChatModelError("chat.no_api_key", model=model)
        return key

    def sync(self, model: str) -> openai.OpenAI:
        with self._lock:
            if self._sync is None:
                self._sync = openai.OpenAI(
                    api_key=self._key(model),
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                )
            return self._sync

    def async_(self, model: str) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        with self._lock:
            for closed in [known for known in self._async if known.is_closed()]:
                del self._async[closed]
            client = self._async.get(loop)
            if client is None:
                client = openai.AsyncOpenAI(
                    api_key=self._key(model),
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                )
                self._async[loop] = client
            return client

    def url(self) -> str:
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"


class ChatOpenAI:
    """A chat model served by the OpenAI API or any OpenAI-compatible endpoint.

    `api_key` and `base_url` default to `OPENAI_API_KEY` and `OPENAI_BASE_URL`::

        llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
        reply = llm.invoke("用一句话介绍杭州")
        print(reply.content, reply.usage)
    """

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        timeout: float | None = 60.0,
        max_retries: int = 2,
        stream_usage: bool = True,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stream_usage = stream_usage
        self.extra_body = dict(extra_body or {})
        self._clients = _Clients(
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
                "chat.bad_message", model=self.model, value=repr(exc.args[0])[:80]
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

    def invoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> AIMessage:
        """Send the conversation and return the reply.

        `messages` is a string (one user message) or a list of messages; extra keyword
        arguments are passed to `chat.completions.create` (e.g. `stop=[...]`).
        """
        client = self._clients.sync(self.model)
        params = self._params(messages, False, kwargs)
        with observe_chat(self.model, self._clients.url(), params) as observed:
            try:
                completion = client.chat.completions.create(**params)
            except openai.OpenAIError as exc:
                self._raise(exc)
            reply = self._message(completion)
            observed.reply(reply)
        return reply

    async def ainvoke(self, messages: str | Sequence[MessageLike], **kwargs: Any) -> AIMessage:
        """Async `invoke`."""
        client = self._clients.async_(self.model)
        params = self._params(messages, False, kwargs)
        with observe_chat(self.model, self._clients.url(), params) as observed:
            try:
                completion = await client.chat.completions.create(**params)
            except openai.OpenAIError as exc:
                self._raise(exc)
            reply = self._message(completion)
            observed.reply(reply)
        return reply

    def stream(
        self, messages: str | Sequence[MessageLike], **kwargs: Any
    ) -> Iterator[AIMessageChunk]:
        """Send the conversation and yield the reply piece by piece.

        Inside a running flow each piece of text is also a token event of the node.
        `merge_chunks(chunks)` assembles the pieces into the complete `AIMessage`.
        """
        client = self._clients.sync(self.model)
        params = self._params(messages, True, kwargs)
        context = current_context()
        with observe_chat(self.model, self._clients.url(), params) as observed:
            try:
                with client.chat.completions.create(**params) as response:
                    for raw in response:
                        chunk = _chunk(raw)
                        observed.chunk(chunk)
                        if chunk.content and context is not None:
                            context.emit_token(chunk.content)
                        yield chunk
            except openai.OpenAIError as exc:
                self._raise(exc)

    async def astream(
        self, messages: str | Sequence[MessageLike], **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """Async `stream`."""
        client = self._clients.async_(self.model)
        params = self._params(messages, True, kwargs)
        context = current_context()
        with observe_chat(self.model, self._clients.url(), params) as observed:
            try:
                async with await client.chat.completions.create(**params) as response:
                    async for raw in response:
                        chunk = _chunk(raw)
                        observed.chunk(chunk)
                        if chunk.content and context is not None:
                            context.emit_token(chunk.content)
                        yield chunk
            except openai.OpenAIError as exc:
                self._raise(exc)

    # -- conversion -------------------------------------------------------------------------

    def _message(self, completion: ChatCompletion) -> AIMessage:
        if not completion.choices:
            raise ChatModelError("chat.empty_response", model=self.model)
        choice = completion.choices[0]
        message = choice.message
        calls = tuple(
            ToolCall.from_json(call.id, call.function.name, call.function.arguments)
            for call in message.tool_calls or ()
            if call.type == "function"
        )
        return AIMessage(
            content=message.content or "",
            tool_calls=calls,
            usage=_usage(completion.usage),
            finish_reason=choice.finish_reason,
            id=completion.id,
            refusal=message.refusal,
        )

    def _raise(self, exc: openai.OpenAIError) -> NoReturn:
        model = self.model
        if isinstance(exc, openai.APIStatusError):
            raise ChatModelError(
                "chat.status", model=model, status=exc.status_code, error=_api_error_text(exc)
            ) from exc
        if isinstance(exc, openai.APITimeoutError):
            raise ChatModelError("chat.timeout", model=model, error=str(exc)) from exc
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            raise ChatModelError(
                "chat.connection", model=model, url=self._clients.url(), error=str(cause) or exc
            ) from exc
        raise ChatModelError("chat.failed", model=model, error=str(exc)) from exc

    def __repr__(self) -> str:
        tools = f", tools={list(self._tools.names)!r}" if self._tools else ""
        return f"ChatOpenAI(model={self.model!r}{tools})"


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    return Usage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)


def _chunk(raw: ChatCompletionChunk) -> AIMessageChunk:
    usage = _usage(raw.usage)
    if not raw.choices:
        return AIMessageChunk(usage=usage, id=raw.id)
    choice = raw.choices[0]
    delta = choice.delta
    pieces = tuple(
        ToolCallChunk(
            index=call.index,
            id=call.id,
            name=call.function.name if call.function else None,
            arguments=(call.function.arguments or "") if call.function else "",
        )
        for call in delta.tool_calls or ()
    )
    return AIMessageChunk(delta.content or "", pieces, usage, choice.finish_reason, raw.id)


def _api_error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        message = body.get("message")
        if isinstance(message, str) and message:
            return message
    return exc.message
