"""Stores for the shared checkpoint suite: memory, SQLite and (with a server) PostgreSQL.

PostgreSQL tests use `LITEFLOW_TEST_PG_DSN` (e.g. `postgresql://lf@127.0.0.1:54329/postgres`);
without it they are skipped with a one-line reason. CI sets it (see `.ci/run`) and fails if
any of them was skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from liteflow.checkpoint import (
    Checkpointer,
    MemoryCheckpointer,
    PostgresCheckpointer,
    Serde,
    SqliteCheckpointer,
)

PG_DSN = os.environ.get("LITEFLOW_TEST_PG_DSN")
NO_PG = "PostgreSQL tests need LITEFLOW_TEST_PG_DSN=postgresql://... (a throwaway server)"
# CI sets LITEFLOW_TEST_PG_REQUIRED=1: a missing server is then a failure, never a skip.
PG_REQUIRED = os.environ.get("LITEFLOW_TEST_PG_REQUIRED") == "1"


def _no_postgres() -> None:
    if PG_REQUIRED:
        pytest.fail("LITEFLOW_TEST_PG_REQUIRED=1 but LITEFLOW_TEST_PG_DSN is not set")
    pytest.skip(NO_PG)

StoreFactory = Callable[..., Checkpointer]


def _factory(kind: str, tmp_path: Path) -> StoreFactory:
    if kind == "memory":
        shared: dict[str, MemoryCheckpointer] = {}

        def memory(serde: Serde | None = None) -> Checkpointer:
            # One in-memory database per test: "reopening" returns the same store.
            if "store" not in shared:
                shared["store"] = MemoryCheckpointer(serde=serde)
            return shared["store"]

        return memory
    if kind == "sqlite":
        return lambda serde=None: SqliteCheckpointer(tmp_path / "检查点.db", serde=serde)
    if PG_DSN is None:
        _no_postgres()
    assert PG_DSN is not None
    dsn = PG_DSN
    return lambda serde=None: PostgresCheckpointer(dsn, serde=serde)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def make_store(store_kind: str, tmp_path: Path) -> Iterator[StoreFactory]:
    """Builds stores of the parametrized kind on one database; closes them afterwards."""
    made: list[Checkpointer] = []
    base = _factory(store_kind, tmp_path)

    def make(serde: Serde | None = None) -> Checkpointer:
        store = base(serde)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Checkpointer:
    return make_store()


@pytest.fixture
def thread_id() -> str:
    """A fresh thread id (a PostgreSQL database is shared by every test)."""
    return f"线程-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pg_dsn() -> str:
    """The test server's DSN; skips the test (one line) without one."""
    if PG_DSN is None:
        _no_postgres()
    assert PG_DSN is not None
    return PG_DSN


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a store other processes can open too."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    if PG_DSN is None:
        _no_postgres()
    assert PG_DSN is not None
    return PG_DSN
