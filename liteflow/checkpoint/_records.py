"""The values checkpoint stores take and return: frozen, slotted, no behaviour.

Records going *in* (`StepRecord`, `PendingRecord`, `InterruptRecord`) carry user values
already encoded (bytes): stores never see user objects on the write path. Records coming
*out* (`Loaded`, `CheckpointInfo`, `ThreadInfo`) carry decoded values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "BRANCH_MAIN",
    "STATUSES",
    "CheckpointInfo",
    "InterruptRecord",
    "Loaded",
    "NodeRun",
    "PendingRecord",
    "ReplayStats",
    "StepKind",
    "StepRecord",
    "StoredInterrupt",
    "ThreadHead",
    "ThreadInfo",
    "ThreadSpec",
    "ThreadStatus",
]

BRANCH_MAIN: Final = "main"
StepKind = Literal["input", "step", "update", "fork"]
ThreadStatus = Literal["running", "interrupted", "completed", "failed"]
STATUSES: Final[frozenset[str]] = frozenset(("running", "interrupted", "completed", "failed"))

_EMPTY: Mapping[Any, Any] = {}


@dataclass(frozen=True, slots=True)
class ThreadSpec:
    """Who is about to run a thread: stored when the thread is created."""

    thread_id: str
    flow: str
    flow_version: str | None
    fingerprint: str  # Plan.fingerprint (code included)
    shape: str  # names, keys, types, strategies and wiring only
    run_id: str


@dataclass(frozen=True, slots=True)
class ThreadHead:
    """Where an existing thread stands: what `Checkpointer.begin` returns for it.

    `step` is -1 for a thread created but never committed (no step 0 yet).
    """

    thread_id: str
    flow: str
    flow_version: str | None
    fingerprint: str
    shape: str
    branch: str
    step: int
    status: str
    run_id: str


@dataclass(frozen=True, slots=True)
class NodeRun:
    """One call inside a superstep, as history shows it."""

    name: str
    instance: int = 0
    duration: float = 0.0
    attempts: int = 1
    restored: bool = False


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """The snapshot rule's counters after a step (see `SnapshotRule`)."""

    state_bytes: int = 0
    dead_bytes: int = 0
    rows: int = 0


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One committed superstep (or input, update, fork) of one branch.

    `writes` is the encoded `{key: [op, payload]}` of this step only. `snapshot`, when set,
    is the encoded full state *before* these writes (replay starts there). `active` are the
    next active node indices, `arrivals` the join arrivals `{join: parents}`.
    """

    thread_id: str
    branch: str
    step: int
    kind: StepKind
    run_id: str
    writes: bytes
    active: tuple[int, ...]
    arrivals: Mapping[int, tuple[int, ...]] = field(default_factory=lambda: _EMPTY)
    snapshot: bytes | None = None
    nodes: tuple[NodeRun, ...] = ()
    written_keys: tuple[str, ...] = ()
    next_nodes: tuple[str, ...] = ()
    stats: ReplayStats = ReplayStats()
    created_at: float = 0.0

    @property
    def checkpoint_id(self) -> str:
        """`"branch:step"`, as `history()` shows it."""
        return f"{self.branch}:{self.step}"

    @property
    def nbytes(self) -> int:
        """Bytes of user data in the row (writes plus snapshot)."""
        return len(self.writes) + (len(self.snapshot) if self.snapshot is not None else 0)


@dataclass(frozen=True, slots=True)
class PendingRecord:
    """The outputs of one finished call of a superstep that is not committed yet."""

    thread_id: str
    branch: str
    step: int
    node: int
    instance: int
    writes: bytes  # encoded {key: value} the call returned
    duration: float | None = None
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class InterruptRecord:
    """One `ctx.interrupt()` question of an uncommitted superstep.

    `seq` is the n-th interrupt() call inside that call; `interrupt_id` the readable id
    (e.g. `"审批[0]#0@3"`) answers are addressed to.
    """

    thread_id: str
    branch: str
    step: int
    node: int
    instance: int
    seq: int
    interrupt_id: str
    payload: bytes
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class StoredInterrupt:
    """An interrupt as loaded: its decoded payload and, once given, its decoded answer."""

    interrupt_id: str
    step: int
    node: int
    instance: int
    seq: int
    payload: Any
    answered: bool = False
    answer: Any = None


@dataclass(frozen=True, slots=True)
class Loaded:
    """Everything needed to continue a thread from one checkpoint.

    `values` is the folded state after `step` (the caller owns it). `pending` holds the
    outputs of calls of the *next* superstep (`step + 1`) that finished before the run
    stopped, keyed by `(node index, instance)`; `interrupts` that step's questions.
    """

    thread_id: str
    branch: str
    step: int
    kind: str
    values: dict[str, Any]
    active: tuple[int, ...]
    arrivals: Mapping[int, tuple[int, ...]]
    pending: Mapping[tuple[int, int], dict[str, Any]]
    interrupts: tuple[StoredInterrupt, ...]
    status: str
    stats: ReplayStats
    checkpoint_id: str


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    """One entry of `history()` (SPEC §5.3); `checkpoint_id` is `"branch:step"`."""

    checkpoint_id: str
    branch: str
    step: int
    kind: str
    nodes: tuple[str, ...]
    written_keys: tuple[str, ...]
    next_nodes: tuple[str, ...]
    nbytes: int
    created_at: dt.datetime
    interrupts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """One entry of `threads()` (SPEC §5.3)."""

    thread_id: str
    flow: str
    status: str
    step: int
    branches: tuple[str, ...]
    updated_at: dt.datetime
    nbytes: int
