"""Workload definitions shared by every implementation: sizes, units and correctness checks."""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Each async branch of ``async_io`` sleeps this long; the ideal run time is one such sleep.
ASYNC_SLEEP_S = 0.05
#: Size in characters (= bytes, ASCII) of each string that ``big_state`` appends.
BLOB_CHARS = 50 * 1024
#: Size of each string that ``durable_append`` appends.
DURABLE_BLOB_CHARS = 10 * 1024
#: Every implementation, in the order of the report.
ALL_IMPLS = ("liteflow", "langgraph", "plain")


def blob(i: int, size: int = BLOB_CHARS) -> str:
    """A fresh 50 KB string, distinct per step so nothing can be shared or interned."""
    head = f"{i:08d}"
    return head + chr(65 + i % 26) * (size - len(head))


def durable_blob(i: int) -> str:
    """The 10 KB string that step `i` of ``durable_append`` appends."""
    return blob(i, DURABLE_BLOB_CHARS)


_NOISE: list[str] = []


def durable_noise(i: int) -> str:
    """The 10 KB string that step `i` of ``durable_append_pg`` appends: random letters,
    so that PostgreSQL's TOAST compression cannot shrink it (it would shrink
    `durable_blob`'s repeated letter to a few percent)."""
    if not _NOISE:
        import base64
        import random

        _NOISE.append(base64.b64encode(random.Random(20261201).randbytes(3 * 2**18)).decode())
    noise = _NOISE[0]
    head = f"{i:08d}"
    start = (i * 7919) % (len(noise) - DURABLE_BLOB_CHARS)
    return head + noise[start:start + DURABLE_BLOB_CHARS - len(head)]


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    description: str
    full_size: int
    quick_size: int
    #: What one "unit" of the per-unit time is, and how many units a run of ``size`` has.
    unit: str
    units: Callable[[int], int]
    check: Callable[[Mapping[str, Any], int], None]
    #: The implementations that run it.
    impls: tuple[str, ...] = ALL_IMPLS
    #: At most this many fresh processes per cell (LangGraph's durable runs take minutes).
    max_runs: int | None = None
    #: Runs write a database: the child also measures its size and the read-back.
    durable: bool = False
    #: Part of the quick (smoke) mode; variants that exercise no new code path are not.
    in_quick: bool = True
    #: Runs on PostgreSQL: skipped (with a line in the report) without `bench_pg_dsn()`.
    postgres: bool = False
    #: More sizes run in a full session (not quick), to show how the per-unit cost grows.
    more_sizes: tuple[int, ...] = ()
    #: Runs per timed sample: a small flow runs for microseconds, below the clock's noise.
    #: Its figures are per run (the first run is timed alone).
    batch: int = 1


def _check_chain(state: Mapping[str, Any], n: int) -> None:
    assert state["counter"] == n, f"counter={state['counter']!r}, expected {n}"


def _check_loop(state: Mapping[str, Any], n: int) -> None:
    assert state["i"] == n, f"i={state['i']!r}, expected {n}"
    assert state["j"] == n, f"j={state['j']!r}, expected {n}"


def _check_fanout(state: Mapping[str, Any], n: int) -> None:
    items = state["items"]
    assert isinstance(items, list), f"items is {type(items).__name__}, expected list"
    assert len(items) == n, f"len(items)={len(items)}, expected {n}"
    assert sorted(items) == list(range(n)), "items are not exactly 0..n-1"
    assert state["count"] == n, f"count={state['count']!r}, expected {n}"
    assert state["total"] == n * (n - 1) // 2, f"total={state['total']!r}"


def _check_big_state(state: Mapping[str, Any], n: int) -> None:
    blobs = state["blobs"]
    assert len(blobs) == n, f"len(blobs)={len(blobs)}, expected {n}"
    assert sorted(blobs) == [blob(i) for i in range(n)], "blobs differ from the expected strings"
    assert state["counter"] == n, f"counter={state['counter']!r}, expected {n}"


def append_item(i: int) -> str:
    """The item that superstep `i` of ``append_loop`` appends (fresh, never interned)."""
    return f"item {i:06d}"


def _check_append_loop(state: Mapping[str, Any], n: int) -> None:
    items = state["items"]
    assert type(items) is list, f"items is {type(items).__name__}, expected list"
    assert len(items) == n, f"len(items)={len(items)}, expected {n}"
    assert items == [append_item(i) for i in range(n)], "items differ from the expected ones"
    assert state["i"] == n, f"i={state['i']!r}, expected {n}"


def _check_durable_append(state: Mapping[str, Any], n: int) -> None:
    items = state["items"]
    assert len(items) == n, f"len(items)={len(items)}, expected {n}"
    assert items == [durable_blob(i) for i in range(n)], "items differ from the expected strings"
    assert state["i"] == n, f"i={state['i']!r}, expected {n}"


def _check_durable_append_pg(state: Mapping[str, Any], n: int) -> None:
    items = state["items"]
    assert len(items) == n, f"len(items)={len(items)}, expected {n}"
    assert items == [durable_noise(i) for i in range(n)], "items differ from the expected strings"
    assert state["i"] == n, f"i={state['i']!r}, expected {n}"


def _check_durable_tiny(state: Mapping[str, Any], n: int) -> None:
    assert state["i"] == n, f"i={state['i']!r}, expected {n}"


def _check_build(state: Mapping[str, Any], n: int) -> None:
    assert state["nodes"] == n, f"compiled graph has {state['nodes']} nodes, expected {n}"


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload(
            "chain",
            "N sequential trivial sync nodes, each incrementing a counter",
            full_size=1000,
            quick_size=20,
            unit="superstep",
            units=lambda n: n,
            check=_check_chain,
        ),
        Workload(
            "loop",
            "two-node cycle with a conditional back edge, N iterations (2N supersteps)",
            full_size=2000,
            quick_size=20,
            unit="superstep",
            units=lambda n: 2 * n,
            check=_check_loop,
        ),
        Workload(
            "append_loop",
            "one node looping N times, each superstep appending one fresh item to a list"
            " (APPEND; LangGraph's `operator.add`), the node reading only a counter",
            full_size=2000,
            quick_size=20,
            unit="superstep",
            units=lambda n: n,
            check=_check_append_loop,
            more_sizes=(500, 5000),
        ),
        Workload(
            "fanout",
            "1 -> N parallel trivial sync branches (APPEND to a list) -> aggregator",
            full_size=1000,
            quick_size=20,
            unit="branch",
            units=lambda n: n,
            check=_check_fanout,
        ),
        Workload(
            "small_chain",
            "a 3-node chain of trivial sync nodes, the whole run (`chain` with N=3)",
            full_size=3,
            quick_size=3,
            unit="run",
            units=lambda n: 1,
            check=_check_chain,
            batch=100,
        ),
        Workload(
            "small_join",
            "1 -> 5 trivial sync branches -> aggregator, the whole run (`fanout` with N=5)",
            full_size=5,
            quick_size=5,
            unit="run",
            units=lambda n: 1,
            check=_check_fanout,
            batch=100,
        ),
        Workload(
            "small_fanout",
            "1 -> 10 trivial sync branches -> aggregator, the whole run (`fanout` with N=10)",
            full_size=10,
            quick_size=10,
            unit="run",
            units=lambda n: 1,
            check=_check_fanout,
            batch=100,
        ),
        Workload(
            "async_io",
            f"1 -> N async branches, each awaiting asyncio.sleep({ASYNC_SLEEP_S}) -> aggregator",
            full_size=1000,
            quick_size=20,
            unit="branch",
            units=lambda n: n,
            check=_check_fanout,
        ),
        Workload(
            "big_state",
            "N-step chain, each step appending a fresh 50 KB string to a list",
            full_size=200,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_big_state,
        ),
        Workload(
            "build",
            "build and compile an N-node chain of distinct functions (nothing runs)",
            full_size=2000,
            quick_size=20,
            unit="node",
            units=lambda n: n,
            check=_check_build,
        ),
        Workload(
            "compile",
            "compile an N-node chain whose nodes exist: liteflow traces the wiring and runs"
            " every check (LF100-LF302); LangGraph's `compile()` of a built graph",
            full_size=2000,
            quick_size=20,
            unit="node",
            units=lambda n: n,
            check=_check_build,
        ),
        Workload(
            "durable_append",
            "one node looping N times, each superstep appending a fresh 10 KB string to a"
            " list, every superstep committed to a fresh SQLite file before the next"
            " (durability \"sync\"); LangGraph's `SqliteSaver` with default channels",
            full_size=500,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_append,
            max_runs=3,
            durable=True,
        ),
        Workload(
            "durable_append_delta",
            "`durable_append` on LangGraph with the list in a `DeltaChannel` (beta)",
            full_size=500,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_append,
            impls=("langgraph",),
            max_runs=3,
            durable=True,
        ),
        Workload(
            "durable_append_fsync",
            "`durable_append` on liteflow with `SqliteCheckpointer(path, fsync=True)`"
            " (SQLite `synchronous=FULL`, which LangGraph's `SqliteSaver` keeps by default)",
            full_size=500,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_append,
            impls=("liteflow",),
            max_runs=3,
            durable=True,
            in_quick=False,
        ),
        Workload(
            "durable_tiny",
            "one node looping N times, each superstep writing one small int, every superstep"
            " committed to a fresh SQLite file before the next (durability \"sync\")",
            full_size=2000,
            quick_size=20,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_tiny,
            max_runs=3,
            durable=True,
        ),
        Workload(
            "durable_append_pg",
            "`durable_append` with every superstep committed to PostgreSQL (a fresh database"
            " per run, `PostgresCheckpointer(dsn)`); the 10 KB strings are random letters,"
            " which TOAST compression cannot shrink",
            full_size=500,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_append_pg,
            impls=("liteflow", "plain"),
            max_runs=3,
            durable=True,
            postgres=True,
        ),
        Workload(
            "durable_tiny_pg",
            "`durable_tiny` with every superstep committed to PostgreSQL",
            full_size=2000,
            quick_size=10,
            unit="superstep",
            units=lambda n: n,
            check=_check_durable_tiny,
            impls=("liteflow", "plain"),
            max_runs=3,
            durable=True,
            postgres=True,
            in_quick=False,
        ),
    )
}

#: Chain sizes of the sweep that shows whether the per-step cost stays flat.
SWEEP_SIZES = (250, 500, 1000, 2000, 4000)
SWEEP_SIZES_QUICK = (5, 10)


def distinct_functions(n: int, template: str, names: Mapping[str, Any]) -> list[Any]:
    """`n` distinct functions, as a user writes them: a generated module with one `def` per
    step, imported from a file. `template` is one function's source with `{i}` for its
    number; `names` are the module's globals (the TypedDicts the hints name)."""
    folder = Path(tempfile.mkdtemp(prefix="liteflow-bench-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / f"steps_{n}.py"
    path.write_text("\n\n".join(template.format(i=i) for i in range(n)), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"_bench_steps_{n}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    vars(module).update(names)
    spec.loader.exec_module(module)
    return [getattr(module, f"step_{i}") for i in range(n)]


# ---- durable runs: one fresh database per run ----------------------------------------------

_DB_ROOT: list[Path] = []


def fresh_db_path() -> str:
    """A database path in a new, empty folder (removed at exit) on the temp file system."""
    if not _DB_ROOT:
        _DB_ROOT.append(Path(tempfile.mkdtemp(prefix="liteflow-bench-db-")))
        atexit.register(shutil.rmtree, _DB_ROOT[0], True)
    folder = Path(tempfile.mkdtemp(dir=_DB_ROOT[0]))
    return str(folder / "x.db")


def remove_db(path: str) -> None:
    """Delete a run's database folder (LangGraph's can be a gigabyte), or its PostgreSQL
    database (`path` is then its DSN)."""
    if is_pg(path):
        drop_pg_db(path)
        return
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def db_files_bytes(path: str) -> int:
    """The database file plus its write-ahead log, as they are on disk now; for PostgreSQL
    the tables (heap, TOAST and indexes) of the run's database."""
    if is_pg(path):
        return pg_tables_bytes(path)
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


# ---- PostgreSQL: one fresh database per run --------------------------------------------------

#: Where the PostgreSQL rows run: a throwaway server (each run creates and drops a database).
PG_DSN_ENV = ("LITEFLOW_BENCH_PG_DSN", "LITEFLOW_TEST_PG_DSN")


def bench_pg_dsn() -> str | None:
    """The server's DSN from the environment, or None (the PostgreSQL rows are skipped)."""
    for name in PG_DSN_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return None


def is_pg(path: str) -> bool:
    return path.startswith(("postgresql://", "postgres://"))


def fresh_pg_db() -> str:
    """The DSN of a new, empty database on the benchmark server."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    dsn = bench_pg_dsn()
    if dsn is None:
        raise RuntimeError(f"set {PG_DSN_ENV[0]}=postgresql://... for the PostgreSQL rows")
    name = f"lf_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


class PgDatabases:
    """Fresh databases made before the timed runs (`CREATE DATABASE` copies a template: a
    tenth of a second that a SQLite run, creating a file, does not pay); leftovers are
    dropped at exit."""

    def __init__(self, count: int = 8) -> None:
        self.ready = [fresh_pg_db() for _ in range(count)]
        atexit.register(self.drop)

    def take(self) -> str:
        return self.ready.pop() if self.ready else fresh_pg_db()

    def drop(self) -> None:
        while self.ready:
            drop_pg_db(self.ready.pop())


def drop_pg_db(dsn: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    server = bench_pg_dsn()
    assert server is not None
    name = urlsplit(dsn).path.lstrip("/")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_tables_bytes(dsn: str) -> int:
    """`pg_total_relation_size` summed over the tables of the public schema."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0]) if row else 0


def checkpoint_wal(path: str) -> list[int]:
    """Move the WAL into the database file (`wal_checkpoint(TRUNCATE)`); SQLite's
    (busy, log pages, checkpointed pages) row (nothing to do for PostgreSQL)."""
    if is_pg(path):
        return []
    conn = sqlite3.connect(path, timeout=10)
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    return list(row)
