"""What a run hands back: `RunResult` (with the run's `State`) and its `Interrupt`s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from .reprs import short_repr
from .state import State

__all__ = ["NOTHING", "Interrupt", "RunResult", "RunStatus", "Snapshot"]

OutT = TypeVar("OutT")
RunStatus = Literal["completed", "interrupted"]


class _Nothing:
    """`resume()` was given no answer: continue with what is stored."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()


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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A thread at one checkpoint (`flow.state(step=...)`): the state after that
    superstep, the nodes that run next, and the questions waiting there."""

    values: State
    next: tuple[str, ...]
    step: int
    branch: str
    checkpoint_id: str
    interrupts: tuple[Interrupt, ...]
    status: str
