"""`ExecutionEngine`: the base of engines that run a builder `Graph`."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Protocol

from ..core.errors import EventLoopError
from ..core.events import EventListener
from ..plan import Plan
from .executor import Executor
from .loop import run_coroutine
from .result import RunResult, State
from .runner import PregelRunner, RunOptions

__all__ = ["Compiled", "ExecutionEngine"]


class Compiled(Protocol):
    """Anything with a name and a compiled plan: a `Graph`, a `Workflow`, a `@flow`."""

    @property
    def name(self) -> str: ...

    @property
    def plan(self) -> Plan: ...


class ExecutionEngine(ABC):
    """Runs a graph from an initial state. Subclasses implement `execute_async`.

    Example of a custom engine::

        class 计时引擎(ExecutionEngine):
            async def execute_async(self) -> State:
                result = await self.run_plan()
                print(f"{result.supersteps} 个超步，{result.duration:.3f}s")
                return result.final_state
    """

    def __init__(
        self,
        graph: Compiled,
        initial_state: Mapping[str, Any] | None = None,
        *,
        executor: Executor | None = None,
        context: Mapping[str, Any] | None = None,
        max_supersteps: int | None = None,
        on_event: EventListener | None = None,
        language: str | None = None,
    ) -> None:
        self.graph = graph
        self.initial_state: dict[str, Any] = dict(initial_state or {})
        self.options = RunOptions(executor=executor, context=context or {},
                                  max_supersteps=max_supersteps, on_event=on_event,
                                  language=language)
        self.result: RunResult[Any] | None = None

    @property
    def plan(self) -> Plan:
        """The graph's compiled plan (raises `FlowCompileError` on errors)."""
        return self.graph.plan

    @abstractmethod
    async def execute_async(self) -> State:
        """Run the graph and return its final state."""

    def execute(self) -> State:
        """Run synchronously. Inside an event loop use `await engine.execute_async()`."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return run_coroutine(self.execute_async())
        raise EventLoopError("builder.engine_running", engine=type(self).__name__)

    async def run_plan(self, state: Mapping[str, Any] | None = None) -> RunResult[Any]:
        """One run of the plan on liteflow's runner (kept as `self.result`)."""
        inputs = self.initial_state if state is None else state
        self.result = await PregelRunner(self.plan, self.options).run(inputs)
        return self.result
