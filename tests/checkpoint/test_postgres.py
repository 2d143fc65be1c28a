"""PostgreSQL specifics, against a real server (`LITEFLOW_TEST_PG_DSN`; skipped without one)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from liteflow.checkpoint import Journal, PostgresCheckpointer, ThreadSpec, open_checkpointer
from liteflow.core.errors import CheckpointError, ThreadConflictError

CHILD = Path(__file__).with_name("journal_child.py")
ROOT = Path(__file__).resolve().parents[2]


def _admin(dsn: str) -> Any:
    import psycopg

    return psycopg.connect(dsn, autocommit=True)


@pytest.fixture
def fresh_dsn(pg_dsn: str) -> Iterator[str]:
    """A DSN of a new, empty database, dropped afterwards."""
    name = f"lf_test_{uuid.uuid4().hex[:10]}"
    admin = _admin(pg_dsn)
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_dsn)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def spec(thread_id: str) -> ThreadSpec:
    return ThreadSpec(thread_id, "流程", None, "fp", "shape", "run")


def test_values_are_binary_columns_never_jsonb(fresh_dsn: str) -> None:
    store = PostgresCheckpointer(fresh_dsn)
    store.setup()
    import psycopg

    with psycopg.connect(fresh_dsn) as conn:
        types = dict(conn.execute(
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_name LIKE 'lf_%'").fetchall())
        versions = conn.execute("SELECT version FROM lf_schema").fetchall()
    store.close()
    assert "jsonb" not in types.values() and "json" not in types.values()
    for column in ("lf_steps.writes", "lf_steps.snapshot", "lf_pending.writes",
                   "lf_interrupts.payload", "lf_interrupts.answer"):
        assert types[column] == "bytea"
    assert versions == [(1,)]


def test_workers_starting_at_once_migrate_once(fresh_dsn: str) -> None:
    procs = [subprocess.Popen([sys.executable, str(CHILD), fresh_dsn, f"t{i}", "run", "3"],
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    results = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    store = open_checkpointer(fresh_dsn)
    try:
        assert sorted(t.thread_id for t in store.threads()) == ["t0", "t1", "t2", "t3"]
        assert store.load("t2").values == {"日志": [1, 2, 3]}
    finally:
        store.close()


def test_a_lost_connection_fails_the_step_clearly_and_nothing_is_lost(pg_dsn: str,
                                                                      thread_id: str) -> None:
    store = PostgresCheckpointer(pg_dsn)
    journal = Journal(store, spec(thread_id))
    journal.open()
    journal.step(0, "input", {"日志": ("v", [])}, active=[0])
    journal.step(1, "step", {"日志": ("a", [1])}, active=[0], values={"日志": []})
    admin = _admin(pg_dsn)
    # The server drops this run's connection (as a restart would).
    admin.execute("SELECT pg_terminate_backend(%s)", (store.backend_pid(),))
    admin.close()
    time.sleep(0.2)
    with pytest.raises(CheckpointError) as info:
        journal.step(2, "step", {"日志": ("a", [2])}, active=[0], values={"日志": [1]})
    message = str(info.value)
    assert "lost" in message and "resume()" in message and "127.0.0.1" in message
    # The next call reconnects; the thread resumes from its last committed step.
    resumed = Journal(store, spec(thread_id))
    loaded = resumed.open()
    assert loaded is not None and loaded.step == 1 and loaded.values == {"日志": [1]}
    resumed.step(2, "step", {"日志": ("a", [2])}, active=[0], values={"日志": [1]})
    assert store.load(thread_id).values == {"日志": [1, 2]}
    store.close()


def test_an_unreachable_server_names_the_url_without_the_password(pg_dsn: str) -> None:
    store = open_checkpointer("postgresql://lf:topsecret@127.0.0.1:1/liteflow")
    with pytest.raises(CheckpointError) as info:
        store.threads()
    assert "topsecret" not in str(info.value)
    assert "postgresql://lf:***@127.0.0.1:1/liteflow" in str(info.value)


def prose(seed: int) -> str:
    """About 10 KB of incompressible CJK text (TOAST or a filesystem cannot shrink it)."""
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(3400))


def test_500_supersteps_appending_10_kb_on_postgres(fresh_dsn: str) -> None:
    store = PostgresCheckpointer(fresh_dsn)
    journal = Journal(store, spec("长线程"))
    journal.open()
    log: list[str] = []
    journal.step(0, "input", {"日志": ("v", log)}, active=[0])
    items = [prose(k) for k in range(1, 501)]
    started = time.perf_counter()
    for k, item in enumerate(items, start=1):
        journal.step(k, "step", {"日志": ("a", [item]), "n": ("v", k)}, active=[0],
                     values={"日志": log, "n": k - 1})
        log.append(item)
    per_step = (time.perf_counter() - started) / 500
    started = time.perf_counter()
    loaded = store.load("长线程")
    load_ms = (time.perf_counter() - started) * 1000
    import psycopg

    with psycopg.connect(fresh_dsn) as conn:
        size = conn.execute("SELECT pg_total_relation_size('lf_steps')").fetchone()[0]
    store.close()
    print(f"\nPostgreSQL 500 x 10 KB: lf_steps {size / 2**20:.2f} MiB, "
          f"{per_step * 1e3:.2f} ms per superstep, load {load_ms:.1f} ms")
    assert loaded.values == {"日志": log, "n": 500}
    assert size <= 8 * 2**20


def test_each_committed_step_notifies_listeners_once(fresh_dsn: str) -> None:
    import psycopg

    listener = psycopg.connect(fresh_dsn, autocommit=True)
    listener.execute("LISTEN liteflow")
    store = PostgresCheckpointer(fresh_dsn)
    journal = Journal(store, spec("听众"))
    journal.open()
    journal.step(0, "input", {"日志": ("v", [])}, active=[0])
    for k in range(1, 4):
        journal.step(k, "step", {"日志": ("a", [k])}, active=[0], values={"日志": []})
    stale = Journal(store, spec("听众"))
    stale.branch, stale.head = "main", 1  # a runner that lost the thread: nothing committed
    with pytest.raises(ThreadConflictError):
        stale.step(2, "step", {"日志": ("a", ["重复"])}, active=[0])
    heard = [n.payload for n in listener.notifies(timeout=1.0, stop_after=6)]
    listener.close()
    store.close()
    assert heard == ["听众:0", "听众:1", "听众:2", "听众:3"]
