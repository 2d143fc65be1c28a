"""PostgreSQL store on `psycopg` 3 (`pip install 'liteflow[postgres]'`).

The same tables and statements as SQLite (see `_sql.py`), with values in BYTEA (never
JSONB, which cannot hold `\\u0000`). The schema is created on first use inside one
transaction holding `pg_advisory_xact_lock`, so several workers starting at once cannot race;
no `CREATE INDEX CONCURRENTLY` (it cannot run in a transaction). One connection per thread and
process; writes run in READ COMMITTED, where the guarded head update re-checks the row after
waiting for a concurrent writer, so exactly one runner wins; multi-statement reads run in
REPEATABLE READ for one consistent view. A lost connection fails that call with a clear
`CheckpointError`; the next call reconnects.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..core.errors import CheckpointError, LiteflowError, ThreadConflictError
from ._records import StepRecord, ThreadSpec
from ._serde import Serde
from ._sql import SCHEMA_VERSION, SqlCheckpointer, schema
from ._sql_reads import pack_plain
from ._url import redact_url

__all__ = ["PostgresCheckpointer"]

# Any constant shared by every liteflow process: "lf" + schema family.
_MIGRATION_LOCK = 0x6C66_0001
_NOTIFY = "SELECT pg_notify('liteflow', %s)"


def _step_statement(first: bool) -> str:
    """A superstep's commit as one statement: move the head (compare-and-set), on a first
    step also set the status and clear the step's pending rows, and insert the row only
    where the head moved (zero rows: another runner owns the thread)."""
    status = ", status = 'running'" if first else ""
    cleared = (", cleared AS (DELETE FROM lf_pending WHERE thread_id = %s AND branch = %s "
               "AND step = %s AND EXISTS (SELECT 1 FROM moved))") if first else ""
    return (
        f"WITH moved AS (UPDATE lf_threads SET head_step = %s, run_id = %s, "
        f"updated_at = %s{status} WHERE thread_id = %s AND head_branch = %s "
        f"AND head_step = %s RETURNING 1){cleared} "
        "INSERT INTO lf_steps (thread_id, branch, step, kind, run_id, writes, snapshot, "
        "active, arrivals, meta, nbytes, created_at) SELECT %s::text, %s::text, "
        "%s::integer, %s::text, %s::text, %s::bytea, %s::bytea, %s::bytea, %s::bytea, "
        "%s::text, %s::integer, %s::double precision "
        # Listeners (live UIs) hear of the step when it commits, from the same statement.
        "FROM moved, (SELECT pg_notify('liteflow', %s)) AS notified")


_STEP_STEADY = _step_statement(first=False)
_STEP_FIRST = _step_statement(first=True)


def _psycopg() -> Any:
    import psycopg

    return psycopg


class PostgresCheckpointer(SqlCheckpointer):
    """Checkpoints in PostgreSQL: `PostgresCheckpointer("postgresql://user@host/db")`.

    Nothing connects until first use; several processes may share one database.
    """

    def __init__(self, dsn: str, *, serde: Serde | None = None) -> None:
        self.url = redact_url(dsn)
        try:
            self._pg = _psycopg()
        except ImportError:
            raise CheckpointError("checkpoint.no_postgres", url=self.url) from None
        self.dsn = dsn
        self.serde = serde or Serde()
        self._steady = {}
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_lock = threading.Lock()
        self._setup_lock = threading.Lock()
        self._ready = False
        self._closed = False
        self._sql_cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"PostgresCheckpointer({self.url!r})"

    # ------------------------------------------------------------ connections

    def _sql(self, statement: str) -> str:
        found = self._sql_cache.get(statement)
        if found is None:
            found = self._sql_cache[statement] = statement.replace("?", "%s")
        return found

    def _is_integrity_error(self, error: BaseException) -> bool:
        return isinstance(error, self._pg.IntegrityError)

    def _conn(self) -> Any:
        if self._closed:
            raise CheckpointError("checkpoint.closed", url=self.url)
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid() and not conn.closed \
                and not conn.broken:
            return conn
        try:
            conn = self._pg.connect(self.dsn, autocommit=True, connect_timeout=10)
        except self._pg.Error as error:
            raise CheckpointError("checkpoint.unreachable", url=self.url,
                                  error=self._describe(error)) from None
        local.conn, local.pid = conn, os.getpid()
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _describe(self, error: BaseException) -> str:
        text = str(error).strip().splitlines()
        return redact_url(text[0] if text else type(error).__name__)

    def _fail(self, error: BaseException) -> CheckpointError:
        if isinstance(error, self._pg.OperationalError | self._pg.InterfaceError):
            return CheckpointError("checkpoint.connection_lost", url=self.url,
                                   error=self._describe(error))
        return CheckpointError(url=self.url, error=self._describe(error))

    @contextmanager
    def _transaction(self, *, read: bool) -> Iterator[Any]:
        self._ensure()
        conn = self._conn()
        try:
            with conn.transaction():
                if read:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield conn
        except LiteflowError:
            raise
        except self._pg.Error as error:
            raise self._fail(error) from None

    def _write(self) -> Any:
        return self._transaction(read=False)

    def _read(self) -> Any:
        return self._transaction(read=True)

    def _batch(self, conn: Any) -> Any:
        # One round trip for the statements of a step instead of one each.
        return conn.pipeline()

    def backend_pid(self) -> int:
        """The server process of this thread's connection (diagnostics, tests)."""
        self._ensure()
        pid: int = self._conn().info.backend_pid
        return pid

    def _after_step(self, conn: Any, rec: StepRecord) -> None:
        # Delivered to LISTEN liteflow only when the transaction commits (live UIs).
        conn.execute(_NOTIFY, (f"{rec.thread_id}:{rec.step}",))

    def put_step(self, rec: StepRecord, *, expect_head: int,
                 create: ThreadSpec | None = None) -> None:
        """One statement, one round trip, its own transaction: the head update, the pending
        rows' delete, the step's row (inserted only if the head moved) and the notification."""
        if create is not None:
            super().put_step(rec, expect_head=expect_head, create=create)
            return
        thread = rec.thread_id
        known = self._steady.pop(thread, None) == (rec.branch, expect_head)
        created = rec.created_at or time.time()
        head = (rec.step, rec.run_id, created, thread, rec.branch, expect_head)
        row = (thread, rec.branch, rec.step, rec.kind, rec.run_id, rec.writes, rec.snapshot,
               pack_plain(rec.active), self._arrivals(rec), self._meta(rec), rec.nbytes,
               created)
        self._ensure()
        conn = self._conn()
        note = f"{thread}:{rec.step}"
        try:
            if known:
                stored = conn.execute(_STEP_STEADY, (*head, *row, note))
            else:
                stored = conn.execute(_STEP_FIRST, (*head, thread, rec.branch, rec.step, *row,
                                                    note))
        except self._pg.IntegrityError:
            # The step exists already: another runner committed it.
            raise ThreadConflictError(thread=thread, branch=rec.branch, expected=expect_head,
                                      head_branch=rec.branch, found=rec.step,
                                      url=self.url) from None
        except self._pg.Error as error:
            raise self._fail(error) from None
        if stored.rowcount != 1:
            with self._read() as reading:
                self._fence(reading, thread, rec.branch, expect_head + 1)
        self._steady[thread] = (rec.branch, rec.step)

    # ------------------------------------------------------------ schema

    def setup(self) -> None:
        """Create or migrate the schema under an advisory lock (safe from many processes)."""
        with self._setup_lock:
            if self._ready:
                return
            conn = self._conn()
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                    conn.execute("CREATE TABLE IF NOT EXISTS lf_schema (version INTEGER "
                                 "PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
                    found = conn.execute("SELECT MAX(version) FROM lf_schema").fetchone()[0]
                    found = found or 0
                    if found > SCHEMA_VERSION:
                        raise CheckpointError("checkpoint.schema_newer", url=self.url,
                                              found=found, supported=SCHEMA_VERSION)
                    if found < 1:
                        for statement in schema("BYTEA", "DOUBLE PRECISION"):
                            conn.execute(statement)
                        conn.execute("INSERT INTO lf_schema VALUES (1, %s)", (time.time(),))
            except LiteflowError:
                raise
            except self._pg.Error as error:
                raise self._fail(error) from None
            self._ready = True

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except Exception:
                pass  # closing a broken connection may fail; it is gone either way
        self._local = threading.local()
