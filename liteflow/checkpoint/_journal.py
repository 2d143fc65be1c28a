"""The journal: the one object a run talks to about checkpoints (built only with a checkpointer).

    journal = Journal(store, ThreadSpec(...), durability="sync", node_names=names)
    loaded = journal.open()                    # None: a new thread (write step 0 next)
    journal.step(0, "input", ops, active=plan.entries, values={})
    journal.pending(1, node, instance, outputs)   # a call of step 1 finished
    journal.step(1, "step", ops, active, arrivals, nodes, values=pre_step_values)
    journal.finish("completed")                # flush, then set the thread's status

Encoding always happens on the caller's thread, before `step()` returns (user code may
mutate the values afterwards); a value that cannot be encoded raises
`CheckpointEncodeError` and nothing of that step is written. Commits then depend on
`durability`:

- `"sync"`: `step()` returns once the step is committed.
- `"async"`: the bytes go to one background writer thread; `step()` first waits for the
  previous step's commit, so the store is at most one step behind.
- `"exit"`: the first step is written at once (an accepted run always leaves a trace); the
  rest is kept in memory and written, in order, by `flush()`/`finish()`.

Pending outputs always go through the same FIFO writer, so a pending row can never land
after the commit of its step. An error raised by the writer is re-raised by the next call
(or by `flush()`), never lost.

For crash tests, `LITEFLOW_TEST_CRASH="<step>:<point>"` with `point` one of
`before_commit`, `after_commit`, `after_pending` (optionally `after_pending:<node>`) or
`after_answer` kills the process with SIGKILL exactly there.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..core.errors import CheckpointError, LiteflowError
from ._delta import SnapshotRule, before_step, encode_ops, encode_values
from ._protocol import Checkpointer
from ._records import (
    BRANCH_MAIN,
    InterruptRecord,
    Loaded,
    NodeRun,
    PendingRecord,
    StepKind,
    StepRecord,
    ThreadHead,
    ThreadSpec,
)
from ._serde import Serde

__all__ = ["DURABILITIES", "AskedInterrupt", "Journal"]

DURABILITIES: Final = ("sync", "async", "exit")
CRASH_ENV: Final = "LITEFLOW_TEST_CRASH"


@dataclass(frozen=True, slots=True)
class AskedInterrupt:
    """One question raised inside an uncommitted superstep, for `Journal.interrupts`."""

    node: int
    instance: int
    seq: int
    interrupt_id: str
    payload: Any


class _Crash:
    """The `LITEFLOW_TEST_CRASH` hook: kill the process at one point of one step."""

    __slots__ = ("node", "point", "step")

    def __init__(self, spec: str) -> None:
        parts = spec.split(":")
        self.step = int(parts[0])
        self.point = parts[1]
        self.node = parts[2] if len(parts) > 2 else None

    def at(self, step: int, point: str, node: str | None = None) -> None:
        if step == self.step and point == self.point and (self.node is None
                                                           or self.node == node):
            os.kill(os.getpid(), signal.SIGKILL)


def _crash_hook() -> _Crash | None:
    spec = os.environ.get(CRASH_ENV)
    return _Crash(spec) if spec else None


class Journal:
    """Writes one thread's checkpoints for one run; see the module docstring."""

    def __init__(self, checkpointer: Checkpointer, spec: ThreadSpec, *,
                 serde: Serde | None = None, durability: str = "sync",
                 node_names: Sequence[str] = (), snapshot_min_bytes: int | None = None,
                 snapshot_max_rows: int | None = None) -> None:
        if durability not in DURABILITIES:
            raise CheckpointError("checkpoint.bad_durability", value=durability,
                                  thread=spec.thread_id)
        self.store = checkpointer
        self.spec = spec
        self.serde = serde or checkpointer.serde
        self.durability = durability
        self.node_names = tuple(node_names)
        self.branch = BRANCH_MAIN
        self.head = -1  # the last step this journal committed or queued
        self._rule_args: dict[str, Any] = {
            k: v for k, v in (("min_bytes", snapshot_min_bytes),
                              ("max_rows", snapshot_max_rows)) if v is not None}
        self._rule = SnapshotRule(**self._rule_args)
        self._crash = _crash_hook()
        self._error: BaseException | None = None
        self._reported = False
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._cond = threading.Condition()
        self._outstanding = 0  # jobs queued or running on the writer
        self._step_in_flight = False
        self._writer: threading.Thread | None = None
        self._io = threading.Lock()  # one store call at a time, in order
        self._buffer: list[tuple[str, int, Callable[[], None]]] = []  # durability="exit"
        self._wrote_any = False
        self._create = False  # begin() found no thread: step 0 creates it
        self._closed = False

    # ------------------------------------------------------------ opening

    def begin(self, *, adopt: bool = False) -> ThreadHead | None:
        """The thread's head (the caller checks versions), or None for a thread with no step
        yet: it is created by the commit of its step 0, in the same transaction."""
        self._check()
        # Read only: a new thread is created together with its step 0 (see `commit`).
        head = self.store.head(self.spec.thread_id)
        if head is not None and adopt:
            head = self.store.begin(self.spec, adopt=True)
        self._create = head is None or head.step < 0
        if head is not None:
            self.branch, self.head = head.branch, head.step
            self._wrote_any = head.step >= 0
        return head

    def load(self, *, branch: str | None = None, step: int | None = None) -> Loaded:
        """The thread's state at `step` of `branch` (default: the head)."""
        self._check()
        loaded = self.store.load(self.spec.thread_id, branch=branch, step=step)
        self._rule = SnapshotRule(loaded.stats, **self._rule_args)
        return loaded

    def open(self, *, adopt: bool = False) -> Loaded | None:
        """`begin` then `load` the head: None for a thread with no committed step yet."""
        head = self.begin(adopt=adopt)
        if head is None or head.step < 0:
            return None
        return self.load()

    def fork(self, at_step: int, *, branch: str | None = None, note: str | None = None) -> str:
        """Continue on a new branch after `at_step`; returns its name. Flushes first."""
        self.flush()
        name = self.store.fork(self.spec.thread_id, at_step=at_step, branch=branch, note=note)
        self.branch, self.head = name, at_step
        self._rule = SnapshotRule(self.store.load(self.spec.thread_id).stats, **self._rule_args)
        return name

    # ------------------------------------------------------------ steps

    def encode_step(self, step: int, kind: StepKind, ops: Mapping[str, tuple[str, Any]],
                    active: Sequence[int], arrivals: Mapping[int, Any] | None = None,
                    nodes: Sequence[NodeRun] = (), *, values: Mapping[str, Any] | None = None,
                    writers: Mapping[str, str] | None = None) -> StepRecord:
        """The record of one step, encoded now; `values` is the state *before* these writes.

        `values` feeds the snapshot rule: when it is due, the record also carries the full
        state. `writers` maps each key to the node that wrote it (for error messages).
        """
        flow = self.spec.flow
        writes, sizes = encode_ops(self.serde, ops, flow=flow, writers=writers)
        # A list the barrier grew in place is cut back: this is the state *before* the step.
        before = before_step(values or {}, ops)
        snapshot = None
        rule = self._rule
        if before and rule.due:
            snapshot, snap_sizes = encode_values(self.serde, before, flow=flow)
            rule.snapshotted(snap_sizes)

        def measure(key: str) -> int:
            if key not in before:
                return 0
            return len(self.serde.encode(before[key], key=key, flow=flow))

        stats = rule.observe(ops, sizes, measure)
        names = self.node_names
        return StepRecord(
            thread_id=self.spec.thread_id, branch=self.branch, step=step, kind=kind,
            run_id=self.spec.run_id, writes=writes, snapshot=snapshot, active=tuple(active),
            arrivals={int(k): tuple(sorted(v)) for k, v in (arrivals or {}).items()},
            nodes=tuple(nodes), written_keys=tuple(ops),
            next_nodes=tuple(names[i] if i < len(names) else str(i) for i in active),
            stats=stats, created_at=time.time())

    def step(self, step: int, kind: StepKind, ops: Mapping[str, tuple[str, Any]],
             active: Sequence[int], arrivals: Mapping[int, Any] | None = None,
             nodes: Sequence[NodeRun] = (), *, values: Mapping[str, Any] | None = None,
             writers: Mapping[str, str] | None = None) -> StepRecord:
        """Encode and commit (per `durability`) one step; returns its record."""
        self._check()
        rec = self.encode_step(step, kind, ops, active, arrivals, nodes, values=values,
                               writers=writers)
        self.commit(rec)
        return rec

    async def astep(self, step: int, kind: StepKind, ops: Mapping[str, tuple[str, Any]],
                    active: Sequence[int], arrivals: Mapping[int, Any] | None = None,
                    nodes: Sequence[NodeRun] = (), *, values: Mapping[str, Any] | None = None,
                    writers: Mapping[str, str] | None = None) -> StepRecord:
        """`step` that waits for the commit without blocking the event loop."""
        self._check()
        rec = self.encode_step(step, kind, ops, active, arrivals, nodes, values=values,
                               writers=writers)
        await asyncio.to_thread(self.commit, rec)
        return rec

    def commit(self, rec: StepRecord) -> None:
        """Write an encoded record according to `durability` (see `step`)."""
        self._check()
        expect = self.head
        create = self.spec if self._create and rec.step == 0 else None
        self._create = False

        def job() -> None:
            self._crash_at(rec.step, "before_commit")
            if create is None:
                self.store.put_step(rec, expect_head=expect)
            else:
                self.store.put_step(rec, expect_head=expect, create=create)
            self._crash_at(rec.step, "after_commit")

        if self.durability == "exit" and self._wrote_any:
            self._buffer.append(("step", rec.step, job))
        elif self.durability == "async":
            self._wait_for_step()
            with self._cond:
                self._step_in_flight = True
            self._submit(job, is_step=True)
        else:
            self._drain()
            self._run_now(job)
        # Queued or buffered writes fence on this head; a failed one poisons the journal.
        self.head = rec.step
        self._wrote_any = True

    # ------------------------------------------------------------ pending, interrupts

    def pending(self, step: int, node: int, instance: int, outputs: Mapping[str, Any],
                duration: float | None = None) -> None:
        """Store a finished call's outputs for the uncommitted `step` (in the background)."""
        self._check()
        name = self._name(node)
        writes, _ = encode_values(self.serde, outputs, flow=self.spec.flow)
        rec = PendingRecord(self.spec.thread_id, self.branch, step, node, instance, writes,
                            duration, time.time())

        def job() -> None:
            self.store.put_pending(rec)
            self._crash_at(step, "after_pending", name)

        if self.durability == "exit":
            self._buffer.append(("pending", step, job))
        else:
            self._submit(job)

    def interrupts(self, step: int, asked: Sequence[AskedInterrupt]) -> None:
        """Store the questions of the uncommitted `step`; durable when this returns."""
        self._check()
        recs = [InterruptRecord(self.spec.thread_id, self.branch, step, a.node, a.instance,
                                a.seq, a.interrupt_id,
                                self.serde.encode(a.payload, key=a.interrupt_id,
                                                  node=self._name(a.node),
                                                  flow=self.spec.flow), time.time())
                for a in asked]

        def job() -> None:
            self.store.put_interrupts(recs)

        if self.durability == "exit":
            self._buffer.append(("interrupts", step, job))
        else:
            self._submit(job)
        self.flush()

    def answers(self, answers: Mapping[str, Any]) -> None:
        """Store answers by interrupt id (all or none) before anything re-runs."""
        self.flush()
        encoded = {iid: self.serde.encode(value, key=iid, flow=self.spec.flow)
                   for iid, value in answers.items()}
        self.store.put_answers(self.spec.thread_id, encoded)
        self._crash_at(self.head + 1, "after_answer")

    def set_status(self, status: str, *, fenced: bool = False) -> None:
        """Flush, then set the thread's status; `fenced`: only while the head is where this
        journal left it (else `ThreadConflictError`: another runner moved on)."""
        self.flush()
        if fenced:
            self.store.set_status(self.spec.thread_id, status, head=(self.branch, self.head))
        else:
            self.store.set_status(self.spec.thread_id, status)

    def finish(self, status: str) -> None:
        """Flush everything, then set the thread's final status for this run."""
        self.set_status(status)

    # ------------------------------------------------------------ writer plumbing

    def flush(self) -> None:
        """Write everything queued or buffered; raises the writer's error, if any."""
        self._drain()
        buffered, self._buffer = self._buffer, []
        if buffered:
            last = max((s for kind, s, _ in buffered if kind == "step"), default=-1)
            for kind, s, job in buffered:
                # A pending row of a step committed later in the buffer would be deleted by
                # that commit anyway.
                if kind == "pending" and s <= last:
                    continue
                self._run_now(job)

    def close(self) -> None:
        """Flush and stop the writer thread (the store stays open: it is the caller's).

        A writer error not yet raised to the caller is raised here.
        """
        if self._closed:
            return
        try:
            if not self._reported:  # an error the caller already got is not raised again
                self.flush()
        finally:
            self._closed = True
            if self._writer is not None:
                self._jobs.put(None)
                self._writer.join(timeout=30)
                self._writer = None

    def _name(self, node: int) -> str:
        return self.node_names[node] if 0 <= node < len(self.node_names) else str(node)

    def _crash_at(self, step: int, point: str, node: str | None = None) -> None:
        if self._crash is not None:
            self._crash.at(step, point, node)

    def _check(self) -> None:
        error = self._error
        if error is not None:
            self._reported = True
            raise error
        if self._closed:
            raise CheckpointError("checkpoint.closed", url=getattr(self.store, "url", "?"))

    def _run_now(self, job: Callable[[], None]) -> None:
        with self._io:
            job()

    def _submit(self, job: Callable[[], None], *, is_step: bool = False) -> None:
        with self._cond:  # pending() may be called from several executor threads at once
            self._outstanding += 1
            if self._writer is None:
                self._writer = threading.Thread(target=self._work, name="liteflow-checkpoints",
                                                daemon=True)
                self._writer.start()

        def wrapped() -> None:
            try:
                if self._error is None:
                    job()
            except BaseException as error:
                self._error = error if isinstance(error, LiteflowError) else CheckpointError(
                    "checkpoint.journal_failed", thread=self.spec.thread_id,
                    error=f"{type(error).__name__}: {error}")
            finally:
                with self._cond:
                    self._outstanding -= 1
                    if is_step:
                        self._step_in_flight = False
                    self._cond.notify_all()

        self._jobs.put(wrapped)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            with self._io:
                job()

    def _drain(self) -> None:
        with self._cond:
            while self._outstanding:
                self._cond.wait()
        self._check()

    def _wait_for_step(self) -> None:
        with self._cond:
            while self._step_in_flight:
                self._cond.wait()
        self._check()
