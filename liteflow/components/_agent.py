"""A prebuilt tool-calling agent: model → tool calls → results → model … until an answer.

`ToolCallingAgent` runs the loop on its own; `create_agent` wraps it as a flow node whose
input and output state keys are configurable. Inside a flow, each tool call is a custom
`tool_call` event and (when streaming) each piece of the model's text a token event.
"""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.context import current_context
from ..core.errors import AgentError, ToolError
from ..definitions import NodeConfig, node
from ._chat import ChatOpenAI
from ._messages import (
    AIMessage,
    HumanMessage,
    MessageLike,
    SystemMessage,
    ToolCall,
    ToolMessage,
    Usage,
    merge_chunks,
)
from ._registry import ToolRegistry
from ._threads import run_sync
from ._tools import BaseTool

if TYPE_CHECKING:
    from ..definitions import NodeFunction

__all__ = ["AgentResult", "ToolCallRecord", "ToolCallingAgent", "create_agent"]


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """One tool call the agent made, with its outcome (`result` or `error`)."""

    turn: int
    id: str
    tool: str
    arguments: dict[str, Any]
    result: str | None
    error: str | None

    def event_data(self) -> dict[str, Any]:
        return {"turn": self.turn, "id": self.id, "tool": self.tool,
                "arguments": self.arguments, "result": self.result, "error": self.error}


@dataclass(frozen=True, slots=True)
class AgentResult:
    """The outcome of an agent run: the answer, the whole conversation and the tool calls."""

    answer: str
    messages: tuple[MessageLike, ...]
    tool_calls: tuple[ToolCallRecord, ...]
    turns: int
    usage: Usage


class ToolCallingAgent:
    """Calls `model` with `tools` until it answers without calling a tool.

    A turn is one model call; after `max_turns` turns that still end in tool calls the
    agent raises `AgentError`. With `handle_tool_errors` (default) a failing tool call
    (unknown tool, malformed or invalid arguments, an exception, a timeout) is reported
    to the model as the tool's result so it can correct itself; otherwise the error
    propagates. The tool calls of one turn run concurrently.
    """

    def __init__(
        self,
        model: ChatOpenAI,
        tools: ToolRegistry | Iterable[BaseTool | Callable[..., Any]],
        *,
        name: str = "agent",
        max_turns: int = 8,
        system_prompt: str | None = None,
        stream: bool = True,
        handle_tool_errors: bool = True,
    ) -> None:
        if max_turns < 1:
            raise AgentError("agent.bad_turns", node=name, turns=max_turns)
        self.registry = tools if isinstance(tools, ToolRegistry) else ToolRegistry(tools)
        self.model = model.bind_tools(self.registry)
        self.name = name
        self.max_turns = max_turns
        self.system_prompt = system_prompt
        self.stream = stream
        self.handle_tool_errors = handle_tool_errors

    def _start(self, question: str | Sequence[MessageLike]) -> list[MessageLike]:
        messages: list[MessageLike] = []
        if self.system_prompt:
            messages.append(SystemMessage(self.system_prompt))
        if isinstance(question, str):
            messages.append(HumanMessage(question))
        else:
            messages.extend(question)
        return messages

    def _limit(self, reply: AIMessage) -> AgentError:
        tools = ", ".join(call.name for call in reply.tool_calls)
        return AgentError("agent.turn_limit", node=self.name, turns=self.max_turns, tools=tools)

    def _record(
        self, turn: int, call: ToolCall, message: ToolMessage | None, error: ToolError | None
    ) -> tuple[ToolMessage, ToolCallRecord]:
        if error is not None:
            if not self.handle_tool_errors:
                raise error
            message = ToolMessage(f"Error: {error}", call.id, error.tool or call.name)
        assert message is not None
        tool_name = message.name or call.name
        record = ToolCallRecord(
            turn, call.id, tool_name, dict(call.arguments),
            None if error else message.content, str(error) if error else None,
        )
        context = current_context()
        if context is not None:
            context.emit("tool_call", record.event_data())
        return message, record

    async def _call_tool(self, turn: int, call: ToolCall) -> tuple[ToolMessage, ToolCallRecord]:
        try:
            message = await self.registry.aexecute_call(call)
        except ToolError as error:
            return self._record(turn, call, None, error)
        return self._record(turn, call, message, None)

    async def _reply(self, messages: list[MessageLike]) -> AIMessage:
        if self.stream:
            return merge_chunks([chunk async for chunk in self.model.astream(messages)])
        return await self.model.ainvoke(messages)

    async def ainvoke(self, question: str | Sequence[MessageLike]) -> AgentResult:
        """Run the loop for `question` (text, or a conversation so far)."""
        messages = self._start(question)
        records: list[ToolCallRecord] = []
        usage = Usage(0, 0, 0)
        for turn in range(1, self.max_turns + 1):
            reply = await self._reply(messages)
            if reply.usage is not None:
                usage = usage + reply.usage
            messages.append(reply)
            if not reply.tool_calls:
                return AgentResult(reply.content, tuple(messages), tuple(records), turn, usage)
            if turn == self.max_turns:
                raise self._limit(reply)
            # Calls of one turn are independent by contract (the model issued them together).
            outcomes = await asyncio.gather(
                *(self._call_tool(turn, call) for call in reply.tool_calls)
            )
            for message, record in outcomes:
                messages.append(message)
                records.append(record)
        raise AssertionError("unreachable")  # pragma: no cover

    def invoke(self, question: str | Sequence[MessageLike]) -> AgentResult:
        """Sync `ainvoke`."""
        return run_sync(self.ainvoke(question))

    def __repr__(self) -> str:
        return f"ToolCallingAgent({self.name!r}, {self.model!r})"


def create_agent(
    model: ChatOpenAI,
    tools: ToolRegistry | Iterable[BaseTool | Callable[..., Any]],
    *,
    name: str = "agent",
    input_key: str = "question",
    output_key: str = "answer",
    max_turns: int = 8,
    system_prompt: str | None = None,
    stream: bool = True,
    handle_tool_errors: bool = True,
    config: NodeConfig | None = None,
) -> NodeFunction[..., Coroutine[Any, Any, dict[str, str]]]:
    """A tool-calling agent as a flow node: reads `input_key` (str), writes `output_key`.

    Each tool call is emitted as a custom `tool_call` event; with `stream` the model's
    text also arrives as token events. `config` sets node options (retries, timeout)::

        问答 = create_agent(llm, create_tool_registry(calculator), name="问答",
                            input_key="问题", output_key="答案")

        @flow
        def 问答流程(问题: str) -> 答案输出:
            START >> 问答
    """
    for key in (input_key, output_key):
        if not key.isidentifier():
            raise AgentError("agent.bad_key", node=name, key=key)
    agent = ToolCallingAgent(
        model, tools, name=name, max_turns=max_turns, system_prompt=system_prompt,
        stream=stream, handle_tool_errors=handle_tool_errors,
    )
    # The signature is built here because the input and output keys are configurable.
    make_typed_dict: Any = typing.TypedDict  # called with runtime fields
    output_type = make_typed_dict(f"{name}输出", {output_key: str})
    run_agent = _agent_function(agent, input_key, output_key, output_type)
    run_agent.__name__ = run_agent.__qualname__ = name
    run_agent.__doc__ = f"Tool-calling agent {name}: {input_key} -> {output_key}."
    setattr(run_agent, "agent", agent)  # noqa: B010 - reachable for tests and debugging
    return node(name=name, config=config)(run_agent)


def _agent_function(
    agent: ToolCallingAgent, input_key: str, output_key: str, output_type: Any
) -> Callable[..., Coroutine[Any, Any, dict[str, str]]]:
    """An async function `(<input_key>: str) -> {<output_key>: str}` running `agent`.

    A node's inputs are its parameter names; `__signature__` (which `inspect` honours)
    names the one parameter `input_key`.
    """

    async def run_agent(*args: str, **inputs: str) -> dict[str, str]:
        question = args[0] if args else inputs[input_key]
        return {output_key: (await agent.ainvoke(question)).answer}

    parameter = inspect.Parameter(input_key, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                  annotation=str)
    setattr(run_agent, "__signature__",  # noqa: B010 - mypy does not know the attribute
            inspect.Signature([parameter], return_annotation=output_type))
    run_agent.__annotations__ = {input_key: str, "return": output_type}
    return run_agent
