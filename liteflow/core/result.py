"""What a run hands back: `RunResult` (with the run's `State`) and its `Interrupt`s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from .reprs import short_repr
from .state import State

__all__ = ["Interrupt", "RunResult", "RunStatus"]

OutT = TypeVar("OutT")
RunStatus = Literal["completed", "interrupted"]


@dataclass(frozen=True, slots=True)
class Interrupt:
    """A pending question of a paused run: `id` is stable and readable (`"审批#0@3"`)."""

    id: str
    node: str
    payload: Any
    superstep: int


@dataclass(frozen=True, slots=True, repr=False)
class RunResult(Generic[OutT]):
    """The outcome of a run.

    `output` holds the flow's return keys; `final_state` the whole state.
    """

    output: OutT
    final_state: State
    supersteps: int
    status: RunStatus
    interrupt: Any
    duration: float
    run_id: str
    thread_id: str | None
    interrupts: tuple[Interrupt, ...] = ()
    metrics: Any = None

    def __repr__(self) -> str:
        # Bounded like `State`: asyncio reprs a finished run's result on Python 3.11.
        return (f"RunResult(status={self.status!r}, output={short_repr(self.output)}, "
                f"supersteps={self.supersteps}, duration={self.duration:.6f}, "
                f"run_id={self.run_id!r}, thread_id={self.thread_id!r}, "
                f"final_state={self.final_state!r})")
