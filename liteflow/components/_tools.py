"""Tools: typed functions a model can call, their JSON schema, validation and the registry.

A tool's argument schema is derived once, when the tool is defined, from its signature
(pydantic builds the model); each call then only validates against it.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import inspect
import re
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, cast, overload

import pydantic_core

from ..core.errors import (
    LiteflowError,
    ToolArgumentError,
    ToolDefinitionError,
    ToolError,
    ToolExecutionError,
    UnknownToolError,
)
from ..engine.loop import run_coroutine
from ..observability._genai import observe_tool
from ._arguments import Arguments, suggest
from ._docstrings import parse_docstring
from ._messages import ToolCall, ToolMessage

__all__ = [
    "BaseTool",
    "FunctionTool",
    "ToolRegistry",
    "create_tool_registry",
    "tool",
    "tool_result_text",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T", bound="BaseTool")

# What the OpenAI API (and Gemini's compatible endpoint) accept as a function name.
_WIRE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def _wire_name(name: str) -> str:
    """A name the API accepts: the tool name itself when possible, else a stable ASCII name."""
    if _WIRE_NAME.match(name):
        return name
    ascii_part = re.sub(r"[^A-Za-z0-9_-]", "", name)[:40]
    if not ascii_part or not (ascii_part[0].isalpha() or ascii_part[0] == "_"):
        ascii_part = "tool_" + ascii_part
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{ascii_part}_{digest}"


def tool_result_text(result: Any) -> str:
    """A tool's return value as the text sent back to the model (JSON unless already text)."""
    if isinstance(result, str):
        return result
    return pydantic_core.to_json(result, fallback=str).decode()


def _run_coroutine(coro: Coroutine[Any, Any, R]) -> R:
    """Run `coro` to completion from sync code, even when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_coroutine(coro)
    # A loop is already running here: run on a fresh loop in a helper thread instead.
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(run_coroutine, coro)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, name="liteflow-tool", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return cast(R, box["value"])


class BaseTool:
    """Base class for tools written as classes.

    Set `name` and `description` (default: the class name and docstring) and implement
    `_run` (sync) and/or `_arun` (async) with typed parameters; the argument schema comes
    from that signature, parameter descriptions from an `Args:` section of the class's or
    the method's docstring::

        class 天气查询(BaseTool):
            \"\"\"查询城市的天气。

            Args:
                城市: 要查询的城市
            \"\"\"

            name = "天气查询"

            def _run(self, 城市: str) -> str:
                return f"{城市}：晴"
    """

    name: str = ""
    description: str = ""

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        # Default: the sync implementation in a worker thread, keeping the loop free.
        return await asyncio.to_thread(self._run, **kwargs)

    # -- introspection, done once per tool -------------------------------------------------

    def _implementation(self) -> Callable[..., Any]:
        cls = type(self)
        if cls._run is not BaseTool._run:
            return cls._run
        if cls._arun is not BaseTool._arun:
            return cls._arun
        raise ToolDefinitionError("tool.no_run", tool=self.tool_name)

    @property
    def tool_name(self) -> str:
        """The tool's name (the class name when `name` is not set)."""
        return self.name or type(self).__name__

    @property
    def arguments(self) -> Arguments:
        """The validator and JSON schema of the tool's arguments (built on first use)."""
        cached: Arguments | None = self.__dict__.get("_liteflow_arguments")
        if cached is None:
            cached = Arguments(
                self.tool_name,
                self._implementation(),
                skip_self=True,
                extra_doc=type(self).__doc__,
            )
            self.__dict__["_liteflow_arguments"] = cached
        return cached

    @property
    def wire_name(self) -> str:
        """The name sent to the API: the tool name, or a stable ASCII form of it."""
        return _wire_name(self.tool_name)

    def check(self) -> None:
        """Raise `ToolDefinitionError` now if this tool cannot be described or called."""
        if not self.tool_name or any(ch.isspace() for ch in self.tool_name):
            raise ToolDefinitionError("tool.bad_name", tool=self.tool_name)
        self.arguments  # noqa: B018 -- builds (and so checks) the schema

    def parameters_schema(self) -> dict[str, Any]:
        """The JSON schema of the tool's arguments."""
        return self.arguments.schema

    def openai_tool(self) -> dict[str, Any]:
        """The tool in the OpenAI chat-completions `tools` format."""
        description = self.description or parse_docstring(type(self).__doc__)[0]
        if self.wire_name != self.tool_name and self.tool_name not in description:
            description = f"{self.tool_name}: {description}" if description else self.tool_name
        function: dict[str, Any] = {"name": self.wire_name, "parameters": self.parameters_schema()}
        if description:
            function["description"] = description
        return {"type": "function", "function": function}

    # -- calling --------------------------------------------------------------------------

    def _is_async(self) -> bool:
        cls = type(self)
        return cls._run is BaseTool._run and cls._arun is not BaseTool._arun

    def invoke(self, arguments: Mapping[str, Any] | None = None, *,
               call_id: str | None = None) -> Any:
        """Validate `arguments` and run the tool synchronously."""
        kwargs = self.arguments.validate(self.tool_name, arguments or {})
        with observe_tool(self.tool_name, call_id):
            try:
                if self._is_async():
                    return _run_coroutine(self._arun(**kwargs))
                return self._run(**kwargs)
            except ToolError:
                raise
            except Exception as exc:
                raise self._failure(exc) from exc

    async def ainvoke(self, arguments: Mapping[str, Any] | None = None, *,
                      call_id: str | None = None) -> Any:
        """Validate `arguments` and run the tool without blocking the event loop."""
        kwargs = self.arguments.validate(self.tool_name, arguments or {})
        with observe_tool(self.tool_name, call_id):
            try:
                return await self._arun(**kwargs)
            except ToolError:
                raise
            except Exception as exc:
                raise self._failure(exc) from exc

    def _failure(self, exc: Exception) -> ToolExecutionError:
        detail = exc.render() if isinstance(exc, LiteflowError) else f"{type(exc).__name__}: {exc}"
        return ToolExecutionError("tool.failed", tool=self.tool_name, error=detail)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.tool_name!r}>"


class FunctionTool(BaseTool, Generic[P, R]):
    """A tool made from a typed function by `@tool`; still callable like the function."""

    def __init__(
        self, fn: Callable[P, R], *, name: str | None = None, description: str | None = None
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or parse_docstring(fn.__doc__)[0]
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.__module__ = fn.__module__
        self.__qualname__ = fn.__qualname__
        self._explicit = (name, description)
        self._async = inspect.iscoroutinefunction(fn)
        self.__dict__["_liteflow_arguments"] = Arguments(self.name, fn)
        self.check()

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.fn(*args, **kwargs)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # `@tool` replaces the function in its module, so a module-level tool pickles by
        # reference, like a function; any other is rebuilt from its function.
        qualname: str = self.__qualname__
        owner: Any = sys.modules.get(self.__module__)
        for part in qualname.split("."):
            owner = getattr(owner, part, None)
        if owner is self:
            return qualname
        name, description = self._explicit
        return (_rebuild_function_tool, (self.fn, name, description))

    def _is_async(self) -> bool:
        return self._async

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        result = self.fn(*args, **kwargs)
        if self._async:
            return _run_coroutine(cast(Coroutine[Any, Any, Any], result))
        return result

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        if self._async:
            return await cast(Callable[..., Awaitable[Any]], self.fn)(*args, **kwargs)
        return await asyncio.to_thread(self.fn, *args, **kwargs)

    def _implementation(self) -> Callable[..., Any]:
        return self.fn


def _rebuild_function_tool(
    fn: Callable[..., Any], name: str | None, description: str | None
) -> FunctionTool[..., Any]:
    return FunctionTool(fn, name=name, description=description)


@overload
def tool(fn: Callable[P, R], /) -> FunctionTool[P, R]: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...
def tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
    """Turn a typed function (sync or async) into a tool.

    The name defaults to the function's name, the description to its docstring, and each
    parameter's description comes from the docstring's `Args:` section::

        @tool(name="天气查询")
        def 查天气(城市: str, 单位: str = "摄氏") -> str:
            \"\"\"查询城市的天气。

            Args:
                城市: 要查询的城市
                单位: 温度单位
            \"\"\"
            return f"{城市}：晴，25 度（{单位}）"
    """
    if fn is not None:
        return FunctionTool(fn, name=name, description=description)

    def decorate(function: Callable[P, R]) -> FunctionTool[P, R]:
        return FunctionTool(function, name=name, description=description)

    return decorate


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
        self, /, *, name: str | None = None, description: str | None = None
    ) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...
    def register_tool(
        self,
        fn: Callable[P, R] | None = None,
        /,
        *,
        name: str | None = None,
        description: str | None = None,
    ) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
        """Make `fn` a tool and register it; also usable as a decorator, bare or with options."""

        def add(function: Callable[P, R]) -> FunctionTool[P, R]:
            if isinstance(function, FunctionTool) and name is None and description is None:
                return cast(FunctionTool[P, R], self.register(function))
            if isinstance(function, BaseTool):
                raise ToolDefinitionError("tool.not_a_function", tool=function.tool_name)
            return self.register(FunctionTool(function, name=name, description=description))

        return add if fn is None else add(fn)

    # -- lookup ---------------------------------------------------------------------------

    def get(self, name: str) -> BaseTool:
        """The tool called `name` (its own name or its API name), or `UnknownToolError`."""
        found = self._tools.get(name) or self._by_wire.get(name)
        if found is not None:
            return found
        known = ", ".join(self._tools) or "-"
        hint = suggest(name, self._tools)
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

    def execute_call(self, call: ToolCall) -> ToolMessage:
        """Run a model's tool call; the result comes back as a `ToolMessage`."""
        found = self.get(call.name)
        _check_parsed(found, call)
        result = found.invoke(call.arguments, call_id=call.id)
        return ToolMessage(tool_result_text(result), call.id, found.tool_name)

    async def aexecute_call(self, call: ToolCall) -> ToolMessage:
        """Async `execute_call`."""
        found = self.get(call.name)
        _check_parsed(found, call)
        result = await found.ainvoke(call.arguments, call_id=call.id)
        return ToolMessage(tool_result_text(result), call.id, found.tool_name)

    def openai_tools(self) -> list[dict[str, Any]]:
        """Every tool in the OpenAI chat-completions `tools` format."""
        return [item.openai_tool() for item in self._tools.values()]

    def __repr__(self) -> str:
        return f"ToolRegistry({list(self._tools)!r})"


def _check_parsed(found: BaseTool, call: ToolCall) -> None:
    if call.parse_error is not None:
        raise ToolArgumentError(
            "tool.arguments_not_json", tool=found.tool_name, error=call.parse_error
        )


def create_tool_registry(*tools: BaseTool | Callable[..., Any]) -> ToolRegistry:
    """A new registry holding `tools` (tool objects or plain typed functions)."""
    return ToolRegistry(tools)
