"""`PregelEngine`: the design document's engine, running a `Graph` on liteflow's runner."""

from __future__ import annotations

from ..core.state import State
from .execution_engine import ExecutionEngine

__all__ = ["PregelEngine"]


class PregelEngine(ExecutionEngine):
    """Runs a graph in supersteps on the Pregel runner.

        state = PregelEngine(graph, {"value": 10}).execute()
        state = await PregelEngine(graph, {"value": 10}).execute_async()

    After a run, `engine.result` is the full `RunResult` (supersteps, duration, run id).
    """

    async def execute_async(self) -> State:
        result = await self.run_plan()
        return result.final_state
