"""The `Checkpointer` protocol: what a checkpoint store does, whatever holds the bytes.

Stores are called from the journal (one writer per run) and from inspection code (history,
threads) in any thread. Every write is one transaction; `put_step` is the commit point of a
superstep and fences concurrent runners with a compare-and-set on the thread's head.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from ._records import (
    CheckpointInfo,
    InterruptRecord,
    Loaded,
    PendingRecord,
    StepRecord,
    ThreadHead,
    ThreadInfo,
    ThreadSpec,
)
from ._serde import Serde

__all__ = ["Checkpointer"]


@runtime_checkable
class Checkpointer(Protocol):
    """A durable (or in-memory) store of threads, their steps, pending writes and interrupts."""

    serde: Serde

    def setup(self) -> None:
        """Create or migrate the schema (also done on first use); safe to call concurrently."""
        ...

    def begin(self, spec: ThreadSpec, *, adopt: bool = False) -> ThreadHead | None:
        """Create the thread (returns None) or return its head unchanged.

        `adopt=True` stores `spec`'s fingerprint, shape and version on an existing thread
        (resume after an allowed code change).
        """
        ...

    def head(self, thread_id: str) -> ThreadHead | None:
        """The thread's head without changing anything, or None if it does not exist."""
        ...

    def put_step(self, rec: StepRecord, *, expect_head: int,
                 create: ThreadSpec | None = None) -> None:
        """Commit one step and move the head from `expect_head` to `rec.step` on `rec.branch`.

        One transaction; deletes that step's pending rows and sets the status `running`.
        `ThreadConflictError` (and nothing written) when the head is not at
        `(rec.branch, expect_head)`. With `create` (step 0 of a new thread), the thread is
        created in the same transaction, so no thread ever exists without its step 0.
        """
        ...

    def put_pending(self, rec: PendingRecord) -> None:
        """Store one finished call's outputs for the uncommitted step `rec.step`."""
        ...

    def put_interrupts(self, recs: Sequence[InterruptRecord]) -> None:
        """Store the questions of an uncommitted step and mark the thread `interrupted`."""
        ...

    def put_answers(self, thread_id: str, answers: Mapping[str, bytes]) -> None:
        """Store encoded answers by interrupt id (all or none) for the head's next step."""
        ...

    def set_status(self, thread_id: str, status: str, *,
                   head: tuple[str, int] | None = None) -> None:
        """Set `running`, `interrupted`, `completed` or `failed`.

        With `head=(branch, step)`, only while the thread's head is there; else
        `ThreadConflictError` and nothing changed (another runner moved on).
        """
        ...

    def load(self, thread_id: str, *, branch: str | None = None,
             step: int | None = None) -> Loaded:
        """The state at `step` of `branch` (defaults: the head)."""
        ...

    def history(self, thread_id: str, *, branch: str | None = None, limit: int | None = None,
                before: int | None = None) -> list[CheckpointInfo]:
        """Checkpoints oldest first: one branch's lineage, or every branch's rows (None)."""
        ...

    def fork(self, thread_id: str, *, at_step: int, branch: str | None = None,
             note: str | None = None) -> str:
        """A new branch continuing after `at_step` of `branch` (default: the head's branch).

        Returns its name (`b1`, `b2`, ...) and moves the head there; history is kept.
        """
        ...

    def threads(self, *, flow: str | None = None, status: str | None = None,
                limit: int = 100) -> list[ThreadInfo]:
        """Threads, most recently updated first."""
        ...

    def delete_thread(self, thread_id: str) -> None:
        """Remove a thread and everything stored for it (no error if it does not exist)."""
        ...

    def get_cached(self, key: str) -> bytes | None:
        """Node cache: the encoded outputs under `key`, unless missing or expired."""
        ...

    def put_cached(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Node cache: store encoded outputs under `key`, valid for `ttl` seconds (None: ever)."""
        ...

    def close(self) -> None:
        """Release connections; later calls raise `CheckpointError`."""
        ...
