"""The design document's engines: `ExecutionEngine` (base of custom engines) and
`PregelEngine`. Both run a compiled graph on the one runner (`runner.PregelRunner`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from ..core.events import EventListener
from ..core.result import RunResult
from ..core.state import State
from ..plan import Compiled, Plan
from .executor import Executor
from .loop import ctrl_c_stopped, no_running_loop, run_coroutine
from .options import RunOptions
from .runner import PregelRunner

__all__ = ["ExecutionEngine", "PregelEngine"]


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
        self._runner: PregelRunner | None = None  # of the last run, for a Ctrl-C's message

    @property
    def plan(self) -> Plan:
        """The graph's compiled plan (raises `FlowCompileError` on errors)."""
        return self.graph.plan

    @abstractmethod
    async def execute_async(self) -> State:
        """Run the graph and return its final state."""

    def execute(self) -> State:
        """Run synchronously. Inside an event loop use `await engine.execute_async()`."""
        no_running_loop(type(self).__name__, "execute", "execute_async")
        try:
            return run_coroutine(self.execute_async())
        except KeyboardInterrupt as stop:
            if self._runner is None:
                raise  # no run had started
            # As `flow.run()` says it: which flow stopped in which superstep.
            raise ctrl_c_stopped(self._runner).with_traceback(stop.__traceback__) from None

    async def run_plan(self, state: Mapping[str, Any] | None = None) -> RunResult[Any]:
        """One run of the plan on liteflow's runner (kept as `self.result`)."""
        inputs = self.initial_state if state is None else state
        runner = self._runner = PregelRunner(self.plan, self.options)
        self.result = await runner.run(inputs)
        return self.result


class PregelEngine(ExecutionEngine):
    """Runs a graph in supersteps on the Pregel runner.

        state = PregelEngine(graph, {"value": 10}).execute()
        state = await PregelEngine(graph, {"value": 10}).execute_async()

    After a run, `engine.result` is the full `RunResult` (supersteps, duration, run id).
    """

    async def execute_async(self) -> State:
        result = await self.run_plan()
        return result.final_state
