"""SQLite stores on the stdlib `sqlite3`: a file in WAL mode, or a private in-memory database.

Threads: `SqliteCheckpointer` opens one connection per thread (and per process, so a forked
child never reuses its parent's). A `sqlite3` connection must not be used by two threads at
once, and separate connections let WAL readers (history, a UI) run while the writer
commits; SQLite's own file locks (`BEGIN IMMEDIATE` plus `busy_timeout`) then serialize
writers across threads and processes. `MemoryCheckpointer` has a single connection (an
in-memory database exists only inside it) guarded by a lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core.errors import CheckpointError, LiteflowError
from ._serde import Serde
from ._sql import SCHEMA_VERSION, SqlCheckpointer, schema

__all__ = ["MemoryCheckpointer", "SqliteCheckpointer", "check_sqlite_path"]

_BUSY_TIMEOUT_MS = 5000
_JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024
_PAGE_SIZE = 2048


def check_sqlite_path(path: Path, url: str) -> None:
    """Refuse a path SQLite could not create or write, naming `url`."""
    parent = path.parent if str(path.parent) else Path(".")
    problem: tuple[str, Path] | None = None
    if not str(path) or str(path) == ".":
        problem = ("checkpoint.path_missing", path)
    elif path.is_dir():
        problem = ("checkpoint.path_is_dir", path)
    elif not parent.is_dir():
        problem = ("checkpoint.path_no_dir", parent)
    elif path.exists() and not os.access(path, os.R_OK | os.W_OK):
        problem = ("checkpoint.path_file_not_writable", path)
    elif not path.exists() and not os.access(parent, os.W_OK | os.X_OK):
        problem = ("checkpoint.path_not_writable", parent)
    if problem is not None:
        raise CheckpointError(problem[0], url=url, path=str(problem[1]))


class _SqliteBase(SqlCheckpointer):
    """What both SQLite stores share: schema setup and error translation."""

    fsync = False

    def __init__(self, serde: Serde | None) -> None:
        self.serde = serde or Serde()
        self._ready = False
        self._steady = {}
        self._setup_lock = threading.Lock()
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def _lock(self) -> Any:
        raise NotImplementedError

    def _is_integrity_error(self, error: BaseException) -> bool:
        return isinstance(error, sqlite3.IntegrityError)

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute(f"PRAGMA synchronous = {'FULL' if self.fsync else 'NORMAL'}")
        conn.execute(f"PRAGMA journal_size_limit = {_JOURNAL_SIZE_LIMIT}")

    def _fail(self, error: BaseException) -> CheckpointError:
        return CheckpointError(url=self.url, error=f"{type(error).__name__}: {error}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._ensure()
        with self._lock():
            conn = self._conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise self._fail(error) from error
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as error:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the transaction is already gone (e.g. disk I/O error)
                if isinstance(error, sqlite3.Error):
                    raise self._fail(error) from error
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        self._ensure()
        with self._lock():
            conn = self._conn()
            try:
                conn.execute("BEGIN")  # one snapshot for every SELECT of the read
                yield conn
            except sqlite3.Error as error:
                raise self._fail(error) from error
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def setup(self) -> None:
        """Create the schema on first use; concurrent processes wait on SQLite's write lock."""
        with self._setup_lock:
            if self._ready:
                return
            if self._closed:
                raise CheckpointError("checkpoint.closed", url=self.url)
            with self._lock():
                try:
                    self._create_schema(self._conn())
                except LiteflowError:
                    raise
                except sqlite3.Error as error:
                    raise self._fail(error) from error
            self._ready = True

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS lf_schema (version INTEGER PRIMARY KEY, "
                         "applied_at REAL NOT NULL)")
            found = conn.execute("SELECT MAX(version) FROM lf_schema").fetchone()[0] or 0
            if found > SCHEMA_VERSION:
                raise CheckpointError("checkpoint.schema_newer", url=self.url, found=found,
                                      supported=SCHEMA_VERSION)
            if found < 1:
                for statement in schema("BLOB", "REAL"):
                    conn.execute(statement)
                conn.execute("INSERT INTO lf_schema VALUES (1, ?)", (time.time(),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def pragmas(self) -> dict[str, Any]:
        """The connection settings in force on this thread's connection (diagnostics)."""
        self._ensure()
        with self._lock():
            conn = self._conn()
            return {name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "synchronous", "busy_timeout",
                                 "journal_size_limit")}


class SqliteCheckpointer(_SqliteBase):
    """Checkpoints in one SQLite file (WAL): `SqliteCheckpointer("runs.db")`.

    `fsync=True` selects `synchronous=FULL` (survives power loss; slower). The default,
    `synchronous=NORMAL` in WAL mode, survives any crash of the process, SIGKILL included.
    The file and its schema are created on first use.
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False,
                 serde: Serde | None = None, url: str | None = None) -> None:
        super().__init__(serde)
        self.path = Path(path)
        self.fsync = fsync
        self.url = url or f"sqlite:///{self.path}"
        check_sqlite_path(self.path, self.url)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteCheckpointer({str(self.path)!r}, fsync={self.fsync})"

    @contextmanager
    def _lock(self) -> Iterator[None]:
        yield  # one connection per thread: SQLite's locks do the rest

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        if self._closed:
            raise CheckpointError("checkpoint.closed", url=self.url)
        conn = self._connect()
        local.conn, local.pid = conn, os.getpid()
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            # check_same_thread=False only so that close() may close it from another thread.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=_BUSY_TIMEOUT_MS / 1000)
            # Only takes effect on a new file. A step row of ~10 KB in 4 KiB pages keeps half
            # of the time a leaf page to itself (its local part exceeds half a page): 2 KiB
            # pages store such rows within ~4 % of their size instead of ~22 %.
            conn.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
            self._configure(conn)
            self._wal(conn)
        except sqlite3.Error as error:
            raise self._fail(error) from error
        return conn

    def _wal(self, conn: sqlite3.Connection) -> None:
        # Switching to WAL needs a moment without other writers; a new file may be contended
        # by several processes starting at once, so retry within the busy timeout.
        deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() == "wal":
                    return
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(f"cannot switch {self.path} to WAL mode")
            time.sleep(0.01)

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()


class MemoryCheckpointer(_SqliteBase):
    """Checkpoints in memory, with the same behaviour as the SQLite store (tests, notebooks).

    Everything is lost when the object goes away; usable from several threads.
    """

    def __init__(self, *, serde: Serde | None = None) -> None:
        super().__init__(serde)
        self.url = "memory://"
        self._mutex = threading.RLock()
        self._connection: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return "MemoryCheckpointer()"

    def _lock(self) -> Any:
        return self._mutex

    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            if self._closed:
                raise CheckpointError("checkpoint.closed", url=self.url)
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._configure(conn)
            self._connection = conn
        return self._connection

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
                self._connection = None
