"""The tool registry: tools by name, model tool calls run, results as text for the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, ParamSpec, TypeVar, cast, overload

import pydantic_core

from ..core.errors import ToolArgumentError, ToolDefinitionError, UnknownToolError
from ..core.suggest import closest
from ._messages import ToolCall, ToolMessage
from ._tools import BaseTool, FunctionTool

__all__ = ["ToolRegistry", "create_tool_registry", "tool_result_text"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound=BaseTool)


def tool_result_text(result: Any) -> str:
    """A tool's return value as the text sent back to the model (JSON unless already text)."""
    if isinstance(result, str):
        return result
    return pydantic_core.to_json(result, fallback=str).decode()



class ToolRegistry:
    """The tools available to a model or an agent, by name.

    Example::

        registry = create_tool_registry(calculator)
        registry.execute_tool("calculator", expression="1 + 2")   # 3
    """

    def __init__(self, tools: Iterable[BaseTool | Callable[..., Any]] = ()) -> None:
        self._tools: dict[str, BaseTool] = {}
        self._by_wire: dict[str, BaseTool] = {}
        for item in tools:
            if isinstance(item, BaseTool):
                self.register(item)
            else:
                self.register_tool(item)

    def register(self, tool: T) -> T:
        """Add a tool object (a `BaseTool` instance or a `@tool` function); returns it."""
        tool.check()
        name = tool.tool_name
        if name in self._tools or tool.wire_name in self._by_wire:
            raise ToolDefinitionError("tool.duplicate", tool=name)
        self._tools[name] = tool
        self._by_wire[tool.wire_name] = tool
        return tool

    @overload
    def register_tool(self, fn: Callable[P, R], /) -> FunctionTool[P, R]: ...
    @overload
    def register_tool(
        self,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...
    def register_tool(
        self,
        fn: Callable[P, R] | None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
        """Make `fn` a tool and register it; also usable as a decorator, bare or with options."""

        def add(function: Callable[P, R]) -> FunctionTool[P, R]:
            plain = name is None and description is None and timeout is None
            if isinstance(function, FunctionTool) and plain:
                return cast(FunctionTool[P, R], self.register(function))
            if isinstance(function, BaseTool):
                raise ToolDefinitionError("tool.not_a_function", tool=function.tool_name)
            return self.register(
                FunctionTool(function, name=name, description=description, timeout=timeout)
            )

        return add if fn is None else add(fn)

    # -- lookup ---------------------------------------------------------------------------

    def get(self, name: str) -> BaseTool:
        """The tool called `name` (its own name or its API name), or `UnknownToolError`."""
        found = self._tools.get(name) or self._by_wire.get(name)
        if found is not None:
            return found
        known = ", ".join(self._tools) or "-"
        hint = closest(name, self._tools)
        if hint is None:
            raise UnknownToolError("tool.unknown", tool=name, known=known)
        raise UnknownToolError("tool.unknown_suggest", tool=name, known=known, suggestion=hint)

    def __contains__(self, name: object) -> bool:
        return name in self._tools or name in self._by_wire

    def __iter__(self) -> Iterator[BaseTool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    @property
    def names(self) -> tuple[str, ...]:
        """The registered tool names, in registration order."""
        return tuple(self._tools)

    # -- execution ------------------------------------------------------------------------

    def execute_tool(self, name: str, /, **arguments: Any) -> Any:
        """Validate the arguments and run tool `name` synchronously."""
        return self.get(name).invoke(arguments)

    async def aexecute_tool(self, name: str, /, **arguments: Any) -> Any:
        """Validate the arguments and run tool `name` without blocking the event loop."""
        return await self.get(name).ainvoke(arguments)

    def _callable(self, call: ToolCall) -> BaseTool:
        """The tool `call` asks for, if the call is well formed; else `ToolArgumentError`."""
        found = self.get(call.name) if call.name else None
        if call.parse_error is not None:
            tool = found.tool_name if found is not None else call.name or "?"
            raise ToolArgumentError(
                "tool.call_malformed", tool=tool, id=call.id, error=call.parse_error
            )
        assert found is not None  # a call without a name always has a parse_error
        return found

    def execute_call(self, call: ToolCall) -> ToolMessage:
        """Run a model's tool call; the result comes back as a `ToolMessage`."""
        found = self._callable(call)
        return ToolMessage(tool_result_text(found.invoke(call.arguments, call_id=call.id)), call.id,
                           found.tool_name)

    async def aexecute_call(self, call: ToolCall) -> ToolMessage:
        """Async `execute_call`."""
        found = self._callable(call)
        result = await found.ainvoke(call.arguments, call_id=call.id)
        return ToolMessage(tool_result_text(result), call.id, found.tool_name)

    def openai_tools(self) -> list[dict[str, Any]]:
        """Every tool in the OpenAI chat-completions `tools` format."""
        return [item.openai_tool() for item in self._tools.values()]

    def __repr__(self) -> str:
        return f"ToolRegistry({list(self._tools)!r})"


def create_tool_registry(*tools: BaseTool | Callable[..., Any]) -> ToolRegistry:
    """A new registry holding `tools` (tool objects or plain typed functions)."""
    return ToolRegistry(tools)
