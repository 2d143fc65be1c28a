"""Plan → results: the Pregel runner, the executor seam, run results."""

from .executor import Executor, LocalExecutor
from .result import RunResult, State
from .runner import PregelRunner, RunOptions

__all__ = ["Executor", "LocalExecutor", "PregelRunner", "RunOptions", "RunResult", "State"]
