"""Plan → results: the Pregel runner, the executor seam, run results."""

from .execution_engine import ExecutionEngine
from .executor import Executor, LocalExecutor
from .pregel_engine import PregelEngine
from .result import RunResult, State
from .runner import PregelRunner, RunOptions

__all__ = [
    "ExecutionEngine",
    "Executor",
    "LocalExecutor",
    "PregelEngine",
    "PregelRunner",
    "RunOptions",
    "RunResult",
    "State",
]
