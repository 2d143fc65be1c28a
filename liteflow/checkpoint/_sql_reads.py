"""Reading checkpoints back: heads, lineage of branches, folding, history, threads.

`SqlReads` also holds the hooks every SQL store implements; `SqlCheckpointer` (`_sql.py`)
adds the writes. Statements use `?` placeholders (`_sql` translates them per store).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from typing import Any

import msgpack

from ..core.errors import CheckpointError, ThreadConflictError
from ._delta import FoldRecord, fold
from ._records import (
    CheckpointInfo,
    Loaded,
    ReplayStats,
    StepRecord,
    StoredInterrupt,
    ThreadHead,
    ThreadInfo,
)
from ._serde import Serde

__all__ = ["SCHEMA_VERSION", "SqlReads", "schema"]

SCHEMA_VERSION = 1

_THREAD_COLS = ("flow, flow_version, fingerprint, shape, head_branch, head_step, status, "
                "run_id")


def schema(blob: str, real: str) -> list[str]:
    """The version-1 tables, with the store's binary and float column types."""
    return [
        f"""CREATE TABLE IF NOT EXISTS lf_threads (
            thread_id TEXT PRIMARY KEY, flow TEXT NOT NULL, flow_version TEXT,
            fingerprint TEXT NOT NULL, shape TEXT NOT NULL, codec TEXT NOT NULL,
            head_branch TEXT NOT NULL, head_step INTEGER NOT NULL, status TEXT NOT NULL,
            run_id TEXT NOT NULL, created_at {real} NOT NULL, updated_at {real} NOT NULL,
            meta TEXT NOT NULL DEFAULT '{{}}')""",
        # No timestamps in these indexes: every step moves updated_at, and an index holding it
        # would be rewritten (one more page in the WAL) on each commit.
        "CREATE INDEX IF NOT EXISTS lf_threads_by_status ON lf_threads(status)",
        "CREATE INDEX IF NOT EXISTS lf_threads_by_flow ON lf_threads(flow)",
        f"""CREATE TABLE IF NOT EXISTS lf_branches (
            thread_id TEXT NOT NULL, branch TEXT NOT NULL, seq INTEGER NOT NULL,
            parent_branch TEXT, fork_step INTEGER, note TEXT, created_at {real} NOT NULL,
            PRIMARY KEY (thread_id, branch))""",
        f"""CREATE TABLE IF NOT EXISTS lf_steps (
            thread_id TEXT NOT NULL, branch TEXT NOT NULL, step INTEGER NOT NULL,
            kind TEXT NOT NULL, run_id TEXT NOT NULL, writes {blob} NOT NULL, snapshot {blob},
            active {blob} NOT NULL, arrivals {blob}, meta TEXT NOT NULL,
            nbytes INTEGER NOT NULL, created_at {real} NOT NULL,
            PRIMARY KEY (thread_id, branch, step))""",
        f"""CREATE TABLE IF NOT EXISTS lf_pending (
            thread_id TEXT NOT NULL, branch TEXT NOT NULL, step INTEGER NOT NULL,
            node INTEGER NOT NULL, instance INTEGER NOT NULL, writes {blob} NOT NULL,
            duration {real}, created_at {real} NOT NULL,
            PRIMARY KEY (thread_id, branch, step, node, instance))""",
        f"""CREATE TABLE IF NOT EXISTS lf_interrupts (
            thread_id TEXT NOT NULL, branch TEXT NOT NULL, step INTEGER NOT NULL,
            node INTEGER NOT NULL, instance INTEGER NOT NULL, seq INTEGER NOT NULL,
            interrupt_id TEXT NOT NULL, payload {blob} NOT NULL, answer {blob},
            answered_at {real}, created_at {real} NOT NULL,
            PRIMARY KEY (thread_id, branch, step, node, instance, seq))""",
        f"""CREATE TABLE IF NOT EXISTS lf_cache (
            cache_key TEXT PRIMARY KEY, value {blob} NOT NULL, created_at {real} NOT NULL,
            expires_at {real})""",
    ]


def _when(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def pack_plain(value: Any) -> bytes:
    """liteflow's own small values (active sets, arrivals): plain msgpack."""
    return msgpack.packb(value, use_bin_type=True)


def unpack_plain(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


class SqlReads:
    """The read side of the protocol, plus the hooks a store provides."""

    serde: Serde
    url: str  # for messages, password hidden
    _ready: bool = False  # schema created or checked (set by `setup`)
    _closed: bool = False

    def _ensure(self) -> None:
        """Refuse a closed store; create or check the schema on first use."""
        if self._closed:
            raise CheckpointError("checkpoint.closed", url=self.url)
        if not self._ready:
            self.setup()

    # ------------------------------------------------------------ subclass hooks

    def _write(self) -> AbstractContextManager[Any]:
        """A connection inside one write transaction (committed on exit, rolled back on error)."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Any]:
        """A connection inside one consistent read."""
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement

    def _is_integrity_error(self, error: BaseException) -> bool:
        raise NotImplementedError

    def _batch(self, conn: Any) -> AbstractContextManager[Any]:
        """Statements inside are sent together where the store supports it."""
        return nullcontext()

    def _after_step(self, conn: Any, rec: StepRecord) -> None:
        """Called inside the step's transaction (PostgreSQL notifies listeners)."""

    def setup(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ helpers

    def _x(self, conn: Any, statement: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self._sql(statement), tuple(params))

    def _head_row(self, conn: Any, thread_id: str) -> Any:
        return self._x(conn, f"SELECT {_THREAD_COLS} FROM lf_threads WHERE thread_id = ?",
                       (thread_id,)).fetchone()

    def _require_head(self, conn: Any, thread_id: str) -> Any:
        row = self._head_row(conn, thread_id)
        if row is None:
            raise CheckpointError("checkpoint.thread_unknown", thread=thread_id, url=self.url)
        return row

    def _fence(self, conn: Any, thread_id: str, branch: str, step: int) -> None:
        """The head must sit just before `step` on `branch`, else another run owns the thread."""
        row = self._require_head(conn, thread_id)
        if row[4] != branch or row[5] != step - 1:
            raise ThreadConflictError(thread=thread_id, branch=branch, expected=step - 1,
                                      head_branch=row[4], found=row[5], url=self.url)

    def head(self, thread_id: str) -> ThreadHead | None:
        """The head of a thread, or None if it does not exist."""
        with self._read() as conn:
            row = self._head_row(conn, thread_id)
        return None if row is None else ThreadHead(thread_id, *row)

    def threads(self, *, flow: str | None = None, status: str | None = None,
                limit: int = 100) -> list[ThreadInfo]:
        where, params = [], []
        if flow is not None:
            where.append("flow = ?")
            params.append(flow)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._read() as conn:
            rows = self._x(
                conn,
                "SELECT thread_id, flow, status, head_step, updated_at, "
                "(SELECT COALESCE(SUM(nbytes), 0) FROM lf_steps s "
                " WHERE s.thread_id = t.thread_id) "
                f"FROM lf_threads t {clause} ORDER BY updated_at DESC, thread_id LIMIT ?",
                (*params, int(limit))).fetchall()
            infos = []
            for tid, tflow, tstatus, step, updated, nbytes in rows:
                names = self._x(conn, "SELECT branch FROM lf_branches WHERE thread_id = ? "
                                "ORDER BY seq", (tid,)).fetchall()
                infos.append(ThreadInfo(tid, tflow, tstatus, step,
                                        tuple(n for (n,) in names), _when(updated),
                                        int(nbytes)))
        return infos

    # ------------------------------------------------------------ reads

    def _branches(self, conn: Any, thread_id: str) -> dict[str, tuple[str | None, int]]:
        rows = self._x(conn, "SELECT branch, parent_branch, fork_step FROM lf_branches "
                       "WHERE thread_id = ? ORDER BY seq", (thread_id,)).fetchall()
        return {b: (parent, fork_step if fork_step is not None else 0)
                for b, parent, fork_step in rows}

    def _check_branch(self, thread_id: str, branches: Mapping[str, Any], branch: str) -> None:
        if branch not in branches:
            raise CheckpointError("checkpoint.branch_unknown", thread=thread_id, branch=branch,
                                  known=", ".join(branches), url=self.url)

    def _owner(self, thread_id: str, branches: Mapping[str, tuple[str | None, int]],
               branch: str, step: int) -> str:
        """The branch whose own rows hold `step` as seen from `branch`."""
        self._check_branch(thread_id, branches, branch)
        while True:
            parent, fork_step = branches[branch]
            if parent is None or step >= fork_step:
                return branch
            branch = parent

    def _lineage(self, branches: Mapping[str, tuple[str | None, int]], branch: str,
                 upto: int) -> list[tuple[str, int, int]]:
        """`(branch, lo, hi)` segments, oldest first, whose rows make up `branch` up to `upto`."""
        segments: list[tuple[str, int, int]] = []
        current: str | None = branch
        hi = upto
        while current is not None:
            parent, fork_step = branches[current]
            lo = fork_step if parent is not None else 0
            if hi >= lo:
                segments.append((current, lo, hi))
            hi = min(hi, fork_step)
            current = parent
        segments.reverse()
        return segments

    def load(self, thread_id: str, *, branch: str | None = None,
             step: int | None = None) -> Loaded:
        with self._read() as conn:
            head = self._require_head(conn, thread_id)
            branches = self._branches(conn, thread_id)
            branch = branch or head[4]
            self._check_branch(thread_id, branches, branch)
            if step is None:
                step = head[5] if branch == head[4] else self._last_step(conn, thread_id,
                                                                          branch)
            segments = self._lineage(branches, branch, step)
            rows = self._fold_rows(conn, thread_id, segments)
            if not rows or rows[-1][0] != step:
                raise CheckpointError("checkpoint.step_unknown", thread=thread_id,
                                      branch=branch, step=step, url=self.url)
            last_step, kind, active, arrivals, meta = rows[-1][:5]
            at_head = branch == head[4] and step == head[5]
            pending: dict[tuple[int, int], dict[str, Any]] = {}
            interrupts: tuple[StoredInterrupt, ...] = ()
            if at_head:
                for node, instance, writes in self._x(
                        conn, "SELECT node, instance, writes FROM lf_pending WHERE "
                        "thread_id = ? AND branch = ? AND step = ? ORDER BY node, instance",
                        (thread_id, branch, step + 1)).fetchall():
                    pending[(node, instance)] = self.serde.decode(writes)
                interrupts = self._interrupts(conn, thread_id, branch, step + 1)
        values = fold(FoldRecord(None if r[5] is None else self.serde.decode(r[5]),
                                 self.serde.decode(r[6])) for r in rows)
        stats = json.loads(meta).get("s", [0, 0, 0])
        return Loaded(
            thread_id=thread_id, branch=branch, step=step, kind=kind, values=values,
            active=tuple(unpack_plain(active)),
            arrivals={} if arrivals is None else
            {int(k): tuple(v) for k, v in unpack_plain(arrivals).items()},
            pending=pending, interrupts=interrupts, status=head[6],
            stats=ReplayStats(*stats), checkpoint_id=f"{branch}:{last_step}")

    def _last_step(self, conn: Any, thread_id: str, branch: str) -> int:
        row = self._x(conn, "SELECT MAX(step) FROM lf_steps WHERE thread_id = ? AND branch = ?",
                      (thread_id, branch)).fetchone()
        return -1 if row is None or row[0] is None else int(row[0])

    def _fold_rows(self, conn: Any, thread_id: str,
                   segments: list[tuple[str, int, int]]) -> list[tuple[Any, ...]]:
        """The rows to replay: from the latest snapshot in the lineage to its end."""
        for i in range(len(segments) - 1, -1, -1):
            b, lo, hi = segments[i]
            row = self._x(conn, "SELECT MAX(step) FROM lf_steps WHERE thread_id = ? AND "
                          "branch = ? AND step >= ? AND step <= ? AND snapshot IS NOT NULL",
                          (thread_id, b, lo, hi)).fetchone()
            if row is not None and row[0] is not None:
                segments = [(b, int(row[0]), hi), *segments[i + 1:]]
                break
        rows: list[tuple[Any, ...]] = []
        for b, lo, hi in segments:
            rows.extend(self._x(conn, "SELECT step, kind, active, arrivals, meta, snapshot, "
                                "writes FROM lf_steps WHERE thread_id = ? AND branch = ? "
                                "AND step >= ? AND step <= ? ORDER BY step",
                                (thread_id, b, lo, hi)).fetchall())
        return rows

    def _interrupts(self, conn: Any, thread_id: str, branch: str,
                    step: int) -> tuple[StoredInterrupt, ...]:
        found = []
        for node, instance, seq, iid, payload, answer in self._x(
                conn, "SELECT node, instance, seq, interrupt_id, payload, answer FROM "
                "lf_interrupts WHERE thread_id = ? AND branch = ? AND step = ? "
                "ORDER BY node, instance, seq", (thread_id, branch, step)).fetchall():
            found.append(StoredInterrupt(
                iid, step, node, instance, seq, self.serde.decode(payload),
                answer is not None, None if answer is None else self.serde.decode(answer)))
        return tuple(found)

    def history(self, thread_id: str, *, branch: str | None = None, limit: int | None = None,
                before: int | None = None) -> list[CheckpointInfo]:
        cols = "branch, step, kind, meta, nbytes, created_at"
        with self._read() as conn:
            self._require_head(conn, thread_id)
            branches = self._branches(conn, thread_id)
            if branch is None:
                rows = self._x(conn, f"SELECT {cols} FROM lf_steps WHERE thread_id = ? "
                               "ORDER BY created_at, step", (thread_id,)).fetchall()
            else:
                self._check_branch(thread_id, branches, branch)
                last = self._last_step(conn, thread_id, branch)
                rows = []
                for b, lo, hi in self._lineage(branches, branch, last):
                    rows.extend(self._x(conn, f"SELECT {cols} FROM lf_steps WHERE "
                                        "thread_id = ? AND branch = ? AND step >= ? AND "
                                        "step <= ? ORDER BY step",
                                        (thread_id, b, lo, hi)).fetchall())
            asked: dict[tuple[str, int], list[str]] = {}
            for b, s, iid in self._x(conn, "SELECT branch, step, interrupt_id FROM "
                                     "lf_interrupts WHERE thread_id = ? "
                                     "ORDER BY node, instance, seq", (thread_id,)).fetchall():
                asked.setdefault((b, s - 1), []).append(iid)
        if before is not None:
            rows = [r for r in rows if r[1] < before]
        if limit is not None:
            rows = rows[-limit:] if limit > 0 else []
        return [self._info(row, asked) for row in rows]

    @staticmethod
    def _info(row: Sequence[Any], asked: Mapping[tuple[str, int], list[str]]) -> CheckpointInfo:
        b, s, kind, meta_text, nbytes, created = row
        meta = json.loads(meta_text)
        names = tuple(dict.fromkeys(n[0] for n in meta.get("n", ())))
        return CheckpointInfo(
            checkpoint_id=f"{b}:{s}", branch=b, step=s, kind=kind, nodes=names,
            written_keys=tuple(meta.get("w", ())), next_nodes=tuple(meta.get("x", ())),
            nbytes=int(nbytes), created_at=_when(created),
            interrupts=tuple(asked.get((b, s), ())))

    # ------------------------------------------------------------ node cache

    def get_cached(self, key: str) -> bytes | None:
        """The encoded outputs stored under `key`, unless missing or expired."""
        with self._read() as conn:
            row = self._x(conn, "SELECT value, expires_at FROM lf_cache WHERE cache_key = ?",
                          (key,)).fetchone()
        if row is None or (row[1] is not None and row[1] <= time.time()):
            return None
        return bytes(row[0])

    def node_runs(self, thread_id: str, branch: str, step: int) -> list[list[Any]]:
        """The calls of one step as stored: `[name, instance, duration, attempts, restored]`."""
        with self._read() as conn:
            row = self._x(conn, "SELECT meta FROM lf_steps WHERE thread_id = ? AND branch = ? "
                          "AND step = ?", (thread_id, branch, step)).fetchone()
        return [] if row is None else list(json.loads(row[0]).get("n", []))
