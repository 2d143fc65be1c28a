"""Tools: typed functions and `BaseTool` classes a model can call, with timeouts.

A tool's argument schema is derived once, when the tool is defined, from its signature
(pydantic builds the model); each call then only validates against it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import math
import re
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, cast, overload

from ..core.errors import (
    LiteflowError,
    ToolDefinitionError,
    ToolError,
    ToolExecutionError,
    ToolTimeoutError,
)
from ..observability._genai import observe_tool
from ._arguments import Arguments
from ._docstrings import parse_docstring
from ._threads import acall_in_thread, call_in_thread

__all__ = ["BaseTool", "FunctionTool", "tool"]

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


def _run_coroutine(coro: Coroutine[Any, Any, R]) -> R:
    """Run `coro` to completion from sync code, even when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # A loop is already running here: run on a fresh loop in a helper thread instead.
    return call_in_thread(functools.partial(asyncio.run, coro), None, TimeoutError)


class BaseTool:
    """Base class for tools written as classes.

    Name it with class attributes `name`, `description` and `timeout` (defaults: the class
    name, its docstring, no timeout), or pass them to `super().__init__(...)`; implement
    `_run` (sync) and/or `_arun` (async) with typed parameters. The argument schema comes
    from that signature, parameter descriptions from an `Args:` section of the class's or
    the method's docstring::

        class 天气查询(BaseTool):
            \"\"\"查询城市的天气。

            Args:
                城市: 要查询的城市
            \"\"\"

            name = "天气查询"
            timeout = 5.0

            def _run(self, 城市: str) -> str:
                return f"{城市}：晴"

        class SearchTool(BaseTool):
            def __init__(self) -> None:
                super().__init__(name="search", description="搜索网络信息")

            def _run(self, query: str) -> str: ...

    A call that takes longer than `timeout` seconds raises `ToolTimeoutError`; a sync
    `_run` still busy then is abandoned in its daemon thread (it cannot be interrupted).
    """

    name: str = ""
    description: str = ""
    timeout: float | None = None

    def __init__(
        self,
        name: str | None = None,
        description: str | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        if name is not None:
            self.name = name
        if description is not None:
            self.description = description
        if timeout is not None:
            self.timeout = timeout

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        # Default: the sync implementation in a daemon thread, keeping the loop free.
        return await acall_in_thread(functools.partial(self._run, *args, **kwargs))

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
        timeout = self.timeout
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float)
            or not math.isfinite(timeout) or timeout <= 0
        ):
            raise ToolDefinitionError("tool.bad_timeout", tool=self.tool_name, timeout=timeout)
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

    def _call(self, kwargs: dict[str, Any]) -> Any:
        if self._is_async():
            return _run_coroutine(self._arun(**kwargs))
        return self._run(**kwargs)

    def invoke(self, arguments: Mapping[str, Any] | None = None, *,
               call_id: str | None = None) -> Any:
        """Validate `arguments` and run the tool synchronously (within its `timeout`)."""
        kwargs = self.arguments.validate(self.tool_name, arguments or {})
        with observe_tool(self.tool_name, call_id):
            try:
                if self.timeout is None:
                    return self._call(kwargs)
                return call_in_thread(functools.partial(self._call, kwargs), self.timeout,
                                      self._timed_out)
            except ToolError:
                raise
            except Exception as exc:
                raise self._failure(exc) from exc

    async def ainvoke(self, arguments: Mapping[str, Any] | None = None, *,
                      call_id: str | None = None) -> Any:
        """Validate `arguments` and run the tool without blocking the event loop."""
        kwargs = self.arguments.validate(self.tool_name, arguments or {})
        scope = asyncio.timeout(self.timeout)
        with observe_tool(self.tool_name, call_id):
            try:
                async with scope:
                    return await self._arun(**kwargs)
            except ToolError:
                raise
            except TimeoutError as exc:
                if scope.expired():
                    raise self._timed_out() from None
                raise self._failure(exc) from exc
            except Exception as exc:
                raise self._failure(exc) from exc

    def _timed_out(self) -> ToolTimeoutError:
        return ToolTimeoutError("tool.timeout", tool=self.tool_name, timeout=self.timeout)

    def _failure(self, exc: Exception) -> ToolExecutionError:
        detail = exc.render() if isinstance(exc, LiteflowError) else f"{type(exc).__name__}: {exc}"
        return ToolExecutionError("tool.failed", tool=self.tool_name, error=detail)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.tool_name!r}>"


class FunctionTool(BaseTool, Generic[P, R]):
    """A tool made from a typed function by `@tool`; still callable like the function."""

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__(name or fn.__name__, description or parse_docstring(fn.__doc__)[0],
                         timeout=timeout)
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn
        self.__module__ = fn.__module__
        self.__qualname__ = fn.__qualname__
        self._explicit = (name, description, timeout)
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
        return (_rebuild_function_tool, (self.fn, *self._explicit))

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
        return await acall_in_thread(functools.partial(self.fn, *args, **kwargs))

    def _implementation(self) -> Callable[..., Any]:
        return self.fn


def _rebuild_function_tool(
    fn: Callable[..., Any], name: str | None, description: str | None, timeout: float | None
) -> FunctionTool[..., Any]:
    return FunctionTool(fn, name=name, description=description, timeout=timeout)


@overload
def tool(fn: Callable[P, R], /) -> FunctionTool[P, R]: ...
@overload
def tool(
    *, name: str | None = None, description: str | None = None, timeout: float | None = None
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...
def tool(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
) -> FunctionTool[P, R] | Callable[[Callable[P, R]], FunctionTool[P, R]]:
    """Turn a typed function (sync or async) into a tool.

    The name defaults to the function's name, the description to its docstring, and each
    parameter's description comes from the docstring's `Args:` section. With `timeout`
    (seconds) a call that takes longer raises `ToolTimeoutError`::

        @tool(name="天气查询", timeout=10)
        def 查天气(城市: str, 单位: str = "摄氏") -> str:
            \"\"\"查询城市的天气。

            Args:
                城市: 要查询的城市
                单位: 温度单位
            \"\"\"
            return f"{城市}：晴，25 度（{单位}）"
    """
    if fn is not None:
        return FunctionTool(fn, name=name, description=description, timeout=timeout)

    def decorate(function: Callable[P, R]) -> FunctionTool[P, R]:
        return FunctionTool(function, name=name, description=description, timeout=timeout)

    return decorate
