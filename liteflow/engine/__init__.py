"""Plan → results: the Pregel runner, the executor seam, run results."""

from ..core.result import RunResult
from ..core.state import State
from .engines import ExecutionEngine, PregelEngine
from .executor import Executor, LocalExecutor
from .options import RunOptions
from .runner import PregelRunner

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
