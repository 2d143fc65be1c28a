"""The SQL behind every store: one implementation of the protocol over a DB-API connection.

Subclasses (SQLite, in-memory SQLite, PostgreSQL) supply connections, transactions, the
schema's column types and error translation; statements are written once with `?`
placeholders. User values only ever travel as encoded bytes (BLOB/BYTEA). This module has
the writes; `_sql_reads.py` the reads and the hooks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.errors import CheckpointError, ThreadConflictError
from ._records import (
    BRANCH_MAIN,
    STATUSES,
    InterruptRecord,
    PendingRecord,
    StepRecord,
    ThreadHead,
    ThreadSpec,
)
from ._serde import CODEC
from ._sql_reads import SCHEMA_VERSION, SqlReads, pack_plain, schema

__all__ = ["SCHEMA_VERSION", "SqlCheckpointer", "schema"]

_EMPTY_MAP = b"\x80"
# Step metadata (history's names and counters) as compact JSON; one encoder for every step.
_META = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_MOVE_HEAD = ("UPDATE lf_threads SET head_step = ?, run_id = ?, updated_at = ? "
              "WHERE thread_id = ? AND head_branch = ? AND head_step = ?")
_MOVE_HEAD_RUNNING = ("UPDATE lf_threads SET head_step = ?, run_id = ?, updated_at = ?, "
                      "status = 'running' WHERE thread_id = ? AND head_branch = ? "
                      "AND head_step = ?")
_INSERT_STEP = ("INSERT INTO lf_steps (thread_id, branch, step, kind, run_id, writes, "
                "snapshot, active, arrivals, meta, nbytes, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


class SqlCheckpointer(SqlReads):
    """The whole protocol over SQL; subclasses provide connections and transactions.

    `_steady[thread] = (branch, step)` after this store committed that step itself: the
    thread's status is then "running" and the next step has no pending rows, unless a later
    call of this store changed either (each such call forgets the thread).
    """

    _steady: dict[str, tuple[str, int]]

    # ------------------------------------------------------------ threads

    def begin(self, spec: ThreadSpec, *, adopt: bool = False) -> ThreadHead | None:
        now = time.time()
        self._steady.pop(spec.thread_id, None)
        with self._write() as conn:
            created = self._x(
                conn,
                "INSERT INTO lf_threads (thread_id, flow, flow_version, fingerprint, shape, "
                "codec, head_branch, head_step, status, run_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, -1, 'running', ?, ?, ?) "
                "ON CONFLICT (thread_id) DO NOTHING",
                (spec.thread_id, spec.flow, spec.flow_version, spec.fingerprint, spec.shape,
                 CODEC, BRANCH_MAIN, spec.run_id, now, now)).rowcount
            if created == 1:
                self._x(conn, "INSERT INTO lf_branches (thread_id, branch, seq, created_at) "
                        "VALUES (?, ?, 0, ?)", (spec.thread_id, BRANCH_MAIN, now))
                return None
            if adopt:
                self._x(conn, "UPDATE lf_threads SET flow = ?, flow_version = ?, "
                        "fingerprint = ?, shape = ?, updated_at = ? WHERE thread_id = ?",
                        (spec.flow, spec.flow_version, spec.fingerprint, spec.shape, now,
                         spec.thread_id))
            row = self._require_head(conn, spec.thread_id)
        return ThreadHead(spec.thread_id, *row)

    def set_status(self, thread_id: str, status: str, *,
                   head: tuple[str, int] | None = None) -> None:
        if status not in STATUSES:
            raise CheckpointError("checkpoint.bad_status", status=status, url=self.url)
        self._steady.pop(thread_id, None)
        with self._write() as conn:
            self._require_head(conn, thread_id)
            if head is None:
                self._x(conn, "UPDATE lf_threads SET status = ?, updated_at = ? "
                        "WHERE thread_id = ?", (status, time.time(), thread_id))
                return
            # One guarded statement: a runner that moved the head meanwhile wins.
            if self._x(conn, "UPDATE lf_threads SET status = ?, updated_at = ? "
                       "WHERE thread_id = ? AND head_branch = ? AND head_step = ?",
                       (status, time.time(), thread_id, *head)).rowcount != 1:
                self._fence(conn, thread_id, head[0], head[1] + 1)

    def delete_thread(self, thread_id: str) -> None:
        self._steady.pop(thread_id, None)
        with self._write() as conn:
            for table in ("lf_interrupts", "lf_pending", "lf_steps", "lf_branches",
                          "lf_threads"):
                self._x(conn, f"DELETE FROM {table} WHERE thread_id = ?", (thread_id,))

    # ------------------------------------------------------------ writes

    def put_step(self, rec: StepRecord, *, expect_head: int,
                 create: ThreadSpec | None = None) -> None:
        # Usually two statements: the guarded head update and the step's row. The status and
        # the step's pending rows are only touched when this store does not know them to be
        # "running" and "none", i.e. on the first step it commits for the thread.
        thread = rec.thread_id
        known = self._steady.pop(thread, None) == (rec.branch, expect_head)
        meta = self._meta(rec)
        arrivals = self._arrivals(rec)
        created = rec.created_at or time.time()
        with self._write() as conn:
            try:
                # Sent as one batch where the store can (PostgreSQL pipelines it): the head
                # check is read before the commit, and a failed one rolls everything back.
                with self._batch(conn):
                    if create is not None:
                        self._create(conn, create, created)
                    moved = self._x(conn, _MOVE_HEAD if known else _MOVE_HEAD_RUNNING,
                                    (rec.step, rec.run_id, created, thread, rec.branch,
                                     expect_head))
                    self._x(conn, _INSERT_STEP,
                            (thread, rec.branch, rec.step, rec.kind, rec.run_id, rec.writes,
                             rec.snapshot, pack_plain(rec.active), arrivals, meta, rec.nbytes,
                             created))
                    if not known:
                        self._x(conn, "DELETE FROM lf_pending WHERE thread_id = ? AND "
                                "branch = ? AND step = ?", (thread, rec.branch, rec.step))
                    self._after_step(conn, rec)
            except Exception as error:
                if not self._is_integrity_error(error):
                    raise
                # The step exists already: another runner committed it.
                raise ThreadConflictError(thread=thread, branch=rec.branch,
                                          expected=expect_head, head_branch=rec.branch,
                                          found=rec.step, url=self.url) from None
            if moved.rowcount != 1:
                self._fence(conn, thread, rec.branch, expect_head + 1)
        self._steady[thread] = (rec.branch, rec.step)

    @staticmethod
    def _meta(rec: StepRecord) -> str:
        """What history shows of a step: its calls, written keys, next nodes, counters."""
        return _META.encode({
            "n": [[n.name, n.instance, n.duration, n.attempts, n.restored] for n in rec.nodes],
            "w": rec.written_keys, "x": rec.next_nodes,
            "s": [rec.stats.state_bytes, rec.stats.dead_bytes, rec.stats.rows],
        })

    @staticmethod
    def _arrivals(rec: StepRecord) -> bytes | None:
        if not rec.arrivals:
            return None
        return pack_plain({k: list(v) for k, v in rec.arrivals.items()})

    def _create(self, conn: Any, spec: ThreadSpec, now: float) -> None:
        """The thread and its main branch, in the transaction of its step 0. A thread left
        without steps (by an older version) takes the new run's spec."""
        self._x(conn,
                "INSERT INTO lf_threads (thread_id, flow, flow_version, fingerprint, shape, "
                "codec, head_branch, head_step, status, run_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, -1, 'running', ?, ?, ?) "
                "ON CONFLICT (thread_id) DO UPDATE SET flow = excluded.flow, "
                "flow_version = excluded.flow_version, fingerprint = excluded.fingerprint, "
                "shape = excluded.shape WHERE lf_threads.head_step = -1",
                (spec.thread_id, spec.flow, spec.flow_version, spec.fingerprint, spec.shape,
                 CODEC, BRANCH_MAIN, spec.run_id, now, now))
        self._x(conn, "INSERT INTO lf_branches (thread_id, branch, seq, created_at) "
                "VALUES (?, ?, 0, ?) ON CONFLICT (thread_id, branch) DO NOTHING",
                (spec.thread_id, BRANCH_MAIN, now))

    def put_pending(self, rec: PendingRecord) -> None:
        self._steady.pop(rec.thread_id, None)
        with self._write() as conn:
            # One statement: stored only while the head sits just before rec.step.
            stored = self._x(
                conn,
                "INSERT INTO lf_pending (thread_id, branch, step, node, instance, writes, "
                "duration, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS ("
                "SELECT 1 FROM lf_threads WHERE thread_id = ? AND head_branch = ? "
                "AND head_step = ?) "
                "ON CONFLICT (thread_id, branch, step, node, instance) DO UPDATE SET "
                "writes = excluded.writes, duration = excluded.duration, "
                "created_at = excluded.created_at",
                (rec.thread_id, rec.branch, rec.step, rec.node, rec.instance, rec.writes,
                 rec.duration, rec.created_at or time.time(), rec.thread_id, rec.branch,
                 rec.step - 1)).rowcount
            if stored != 1:
                self._fence(conn, rec.thread_id, rec.branch, rec.step)

    def put_interrupts(self, recs: Sequence[InterruptRecord]) -> None:
        if not recs:
            return
        for rec in recs:
            self._steady.pop(rec.thread_id, None)
        now = time.time()
        with self._write() as conn:
            for rec in recs:
                self._fence(conn, rec.thread_id, rec.branch, rec.step)
                self._x(conn, "INSERT INTO lf_interrupts (thread_id, branch, step, node, "
                        "instance, seq, interrupt_id, payload, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, branch, "
                        "step, node, instance, seq) DO UPDATE SET "
                        "interrupt_id = excluded.interrupt_id, payload = excluded.payload",
                        (rec.thread_id, rec.branch, rec.step, rec.node, rec.instance, rec.seq,
                         rec.interrupt_id, rec.payload, rec.created_at or now))
            for thread_id in {rec.thread_id for rec in recs}:
                self._x(conn, "UPDATE lf_threads SET status = 'interrupted', updated_at = ? "
                        "WHERE thread_id = ?", (now, thread_id))

    def put_answers(self, thread_id: str, answers: Mapping[str, bytes]) -> None:
        now = time.time()
        with self._write() as conn:
            row = self._require_head(conn, thread_id)
            branch, step = row[4], row[5] + 1
            for interrupt_id, answer in answers.items():
                hit = self._x(conn, "UPDATE lf_interrupts SET answer = ?, answered_at = ? "
                              "WHERE thread_id = ? AND branch = ? AND step = ? "
                              "AND interrupt_id = ?",
                              (answer, now, thread_id, branch, step, interrupt_id)).rowcount
                if hit == 0:
                    known = self._x(conn, "SELECT interrupt_id FROM lf_interrupts WHERE "
                                    "thread_id = ? AND branch = ? AND step = ? "
                                    "ORDER BY node, instance, seq",
                                    (thread_id, branch, step)).fetchall()
                    raise CheckpointError("checkpoint.answer_unknown", thread=thread_id,
                                          interrupt=interrupt_id, url=self.url,
                                          known=", ".join(k for (k,) in known) or "-")

    def fork(self, thread_id: str, *, at_step: int, branch: str | None = None,
             note: str | None = None) -> str:
        now = time.time()
        self._steady.pop(thread_id, None)
        with self._write() as conn:
            head = self._require_head(conn, thread_id)
            branches = self._branches(conn, thread_id)
            source = branch or head[4]
            owner = self._owner(thread_id, branches, source, at_step)
            row = self._x(conn, "SELECT active, arrivals, meta FROM lf_steps WHERE "
                          "thread_id = ? AND branch = ? AND step = ?",
                          (thread_id, owner, at_step)).fetchone()
            if row is None:
                raise CheckpointError("checkpoint.step_unknown", thread=thread_id,
                                      branch=source, step=at_step, url=self.url)
            name = f"b{len(branches)}"
            source_meta = json.loads(row[2])
            meta = json.dumps({"n": [], "w": [], "x": source_meta.get("x", []),
                               "s": source_meta.get("s", [0, 0, 0])}, ensure_ascii=False)
            self._x(conn, "INSERT INTO lf_branches (thread_id, branch, seq, parent_branch, "
                    "fork_step, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (thread_id, name, len(branches), owner, at_step, note, now))
            self._x(conn, "INSERT INTO lf_steps (thread_id, branch, step, kind, run_id, "
                    "writes, snapshot, active, arrivals, meta, nbytes, created_at) "
                    "VALUES (?, ?, ?, 'fork', ?, ?, NULL, ?, ?, ?, 0, ?)",
                    (thread_id, name, at_step, head[7], _EMPTY_MAP, row[0], row[1], meta, now))
            self._x(conn, "UPDATE lf_threads SET head_branch = ?, head_step = ?, "
                    "updated_at = ? WHERE thread_id = ?", (name, at_step, now, thread_id))
        return name

    def put_cached(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Store encoded outputs under `key` (replacing any), valid for `ttl` seconds."""
        now = time.time()
        with self._write() as conn:
            self._x(conn, "INSERT INTO lf_cache (cache_key, value, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET "
                    "value = excluded.value, created_at = excluded.created_at, "
                    "expires_at = excluded.expires_at",
                    (key, value, now, None if ttl is None else now + ttl))
            # Expired entries go when new ones arrive: the table never grows without bound.
            self._x(conn, "DELETE FROM lf_cache WHERE expires_at IS NOT NULL AND "
                    "expires_at <= ?", (now,))
