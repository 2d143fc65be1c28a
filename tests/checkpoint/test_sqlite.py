"""SQLite specifics: URLs and paths, WAL and fsync settings, storage per superstep."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path

import pytest

from liteflow.checkpoint import (
    Journal,
    MemoryCheckpointer,
    PostgresCheckpointer,
    SqliteCheckpointer,
    ThreadSpec,
    open_checkpointer,
    redact_url,
)
from liteflow.core.errors import CheckpointError
from liteflow.core.messages import use_language


def test_urls_pick_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_checkpointer("sqlite:///相对.db")
    assert isinstance(relative, SqliteCheckpointer) and relative.path == Path("相对.db")
    absolute = open_checkpointer(f"sqlite:///{tmp_path}/绝对.db")
    assert isinstance(absolute, SqliteCheckpointer) and absolute.path == tmp_path / "绝对.db"
    assert isinstance(open_checkpointer("memory://"), MemoryCheckpointer)
    assert isinstance(open_checkpointer("postgresql://u:p@127.0.0.1/db"), PostgresCheckpointer)
    assert not (tmp_path / "相对.db").exists()  # nothing is created before first use
    relative.threads()
    assert (tmp_path / "相对.db").exists()
    relative.close()


@pytest.mark.parametrize("url", ["redis://localhost", "sqlite:relative.db", "runs.db",
                                 "sqlite://", "sqlite:///", "sqlite:///:memory:"])
def test_unknown_schemes_and_missing_paths_name_the_url(url: str) -> None:
    with pytest.raises(CheckpointError) as info:
        open_checkpointer(url)
    assert url in str(info.value)


def test_unusable_paths_are_refused_with_the_reason(tmp_path: Path) -> None:
    cases = {
        f"sqlite:///{tmp_path}/没有这个目录/runs.db": "does not exist",
        f"sqlite:///{tmp_path}": "is a directory",
    }
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "只读"
        locked.mkdir()
        locked.chmod(0o500)
        cases[f"sqlite:///{locked}/runs.db"] = "not writable"
    for url, reason in cases.items():
        with pytest.raises(CheckpointError) as info:
            open_checkpointer(url)
        assert url in str(info.value) and reason in str(info.value)
    with use_language("zh"), pytest.raises(CheckpointError) as info:
        open_checkpointer(f"sqlite:///{tmp_path}")
    assert "是一个目录" in str(info.value)


def test_passwords_never_appear() -> None:
    url = "postgresql://用户:s3cr%40t@db.example:5432/liteflow?sslmode=require"
    assert "s3cr" not in redact_url(url) and "***" in redact_url(url)
    assert "hunter2" not in redact_url("host=x password=hunter2 user=y")
    with pytest.raises(CheckpointError) as info:
        open_checkpointer("mysql://root:hunter2@localhost/db")
    assert "hunter2" not in str(info.value) and "mysql://root:***@localhost/db" in str(info.value)


def test_wal_and_synchronous_settings(tmp_path: Path) -> None:
    normal = SqliteCheckpointer(tmp_path / "a.db")
    full = SqliteCheckpointer(tmp_path / "b.db", fsync=True)
    try:
        p = normal.pragmas()
        assert p["journal_mode"] == "wal" and p["synchronous"] == 1  # NORMAL
        assert p["busy_timeout"] >= 1000 and p["journal_size_limit"] > 0
        assert full.pragmas()["synchronous"] == 2  # FULL
        # WAL is a property of the file: an outside connection sees it too.
        with sqlite3.connect(tmp_path / "a.db") as outside:
            assert outside.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert outside.execute("SELECT version FROM lf_schema").fetchall() == [(1,)]
    finally:
        normal.close()
        full.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "新.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE lf_schema (version INTEGER PRIMARY KEY, applied_at REAL)")
        db.execute("INSERT INTO lf_schema VALUES (99, 0)")
    store = SqliteCheckpointer(path)
    with pytest.raises(CheckpointError) as info:
        store.threads()
    assert "99" in str(info.value) and str(path) in str(info.value)


def prose(seed: int) -> str:
    """About 10 KB of incompressible CJK text (TOAST or a filesystem cannot shrink it)."""
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(3400))


def test_500_supersteps_appending_10_kb_stay_small_and_load_fast(tmp_path: Path) -> None:
    path = tmp_path / "大.db"
    store = SqliteCheckpointer(path)
    journal = Journal(store, ThreadSpec("长线程", "循环", None, "fp", "shape", "run"))
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
    journal.close()
    store.close()
    size = sum(f.stat().st_size for f in tmp_path.iterdir() if f.name.startswith("大.db"))
    payload = sum(len(x.encode()) for x in log)
    reader = SqliteCheckpointer(path)
    started = time.perf_counter()
    loaded = reader.load("长线程")
    load_ms = (time.perf_counter() - started) * 1000
    reader.close()
    print(f"\n500 x 10 KB: {size / 2**20:.2f} MiB on disk ({payload / 2**20:.2f} MiB appended), "
          f"{per_step * 1e6:.0f} us per superstep, load {load_ms:.1f} ms")
    assert loaded.values == {"日志": log, "n": 500}
    assert size <= 6 * 2**20
    assert size <= payload * 1.1 + 256 * 1024  # about the encoded writes, nothing more
