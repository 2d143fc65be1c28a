"""Lower bound: the same workloads as hand-written plain Python / asyncio, no framework.

Each node is still a separate function called with keyword arguments taken from a state dict,
and its returned dict is merged back, so the comparison isolates what a framework adds on top
of "call the functions in the right order".
"""

from __future__ import annotations

import asyncio
import platform
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from .common import (
    ASYNC_SLEEP_S,
    PgDatabases,
    append_item,
    blob,
    durable_blob,
    durable_noise,
    fresh_db_path,
    is_pg,
)

Fn = Callable[..., dict[str, Any]]


def version() -> str:
    return f"Python {platform.python_version()}"


def _make_step(i: int) -> Fn:
    def step(counter: int) -> dict[str, Any]:
        return {"counter": counter + 1}

    step.__name__ = f"step_{i}"
    return step


# ---- chain / build -------------------------------------------------------------------------


def build_chain(n: int) -> list[Fn]:
    return [_make_step(i) for i in range(n)]


def run_chain(steps: list[Fn]) -> dict[str, Any]:
    state: dict[str, Any] = {"counter": 0}
    for step in steps:
        state.update(step(counter=state["counter"]))
    return state


# ---- loop ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loop:
    ping: Fn
    pong: Fn
    until: Callable[[dict[str, Any]], bool]


def build_loop(n: int) -> Loop:
    def ping(i: int) -> dict[str, Any]:
        return {"i": i + 1}

    def pong(j: int) -> dict[str, Any]:
        return {"j": j + 1}

    return Loop(ping, pong, lambda out: out["j"] < n)


def run_loop(loop: Loop) -> dict[str, Any]:
    state: dict[str, Any] = {"i": 0, "j": 0}
    while True:
        state.update(loop.ping(i=state["i"]))
        out = loop.pong(j=state["j"])
        state.update(out)
        if not loop.until(out):
            return state


# ---- append_loop ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grow:
    step: Fn
    again: Callable[[dict[str, Any]], bool]


def build_append_loop(n: int) -> Grow:
    def grow(i: int) -> dict[str, Any]:
        return {"i": i + 1, "items": [append_item(i)]}

    return Grow(grow, lambda out: out["i"] < n)


def run_append_loop(loop: Grow) -> dict[str, Any]:
    state: dict[str, Any] = {"i": 0, "items": []}
    while True:
        out = loop.step(i=state["i"])
        state["i"] = out["i"]
        state["items"].extend(out["items"])
        if not loop.again(out):
            return state


# ---- fanout / async_io ---------------------------------------------------------------------


def _source(seed: int) -> dict[str, Any]:
    return {"base": seed}


def _aggregate(items: list[int]) -> dict[str, Any]:
    return {"count": len(items), "total": sum(items)}


def _make_branch(i: int) -> Fn:
    def branch(base: int) -> dict[str, Any]:
        return {"items": [base + i]}

    branch.__name__ = f"branch_{i}"
    return branch


def build_fanout(n: int) -> list[Fn]:
    return [_make_branch(i) for i in range(n)]


def run_fanout(branches: list[Fn]) -> dict[str, Any]:
    state: dict[str, Any] = {"seed": 0, "items": []}
    state.update(_source(seed=state["seed"]))
    base = state["base"]
    for branch in branches:
        state["items"].extend(branch(base=base)["items"])
    state.update(_aggregate(items=state["items"]))
    return state


AsyncFn = Callable[..., Coroutine[Any, Any, dict[str, Any]]]


def _make_async_branch(i: int) -> AsyncFn:
    async def branch(base: int) -> dict[str, Any]:
        await asyncio.sleep(ASYNC_SLEEP_S)
        return {"items": [base + i]}

    branch.__name__ = f"branch_{i}"
    return branch


def build_async_io(n: int) -> list[AsyncFn]:
    return [_make_async_branch(i) for i in range(n)]


async def _run_async_io(branches: list[AsyncFn]) -> dict[str, Any]:
    state: dict[str, Any] = {"seed": 0, "items": []}
    state.update(_source(seed=state["seed"]))
    base = state["base"]
    for out in await asyncio.gather(*(branch(base=base) for branch in branches)):
        state["items"].extend(out["items"])
    state.update(_aggregate(items=state["items"]))
    return state


def run_async_io(branches: list[AsyncFn]) -> dict[str, Any]:
    return asyncio.run(_run_async_io(branches))


# ---- small flows: whole runs of the same shapes ---------------------------------------------

build_small_chain, run_small_chain = build_chain, run_chain
build_small_join = build_small_fanout = build_fanout
run_small_join = run_small_fanout = run_fanout


# ---- big_state -----------------------------------------------------------------------------


def _make_blob_step(i: int) -> Fn:
    def step(counter: int) -> dict[str, Any]:
        return {"counter": counter + 1, "blobs": [blob(i)]}

    step.__name__ = f"blob_{i}"
    return step


def build_big_state(n: int) -> list[Fn]:
    return [_make_blob_step(i) for i in range(n)]


def run_big_state(steps: list[Fn]) -> dict[str, Any]:
    state: dict[str, Any] = {"counter": 0, "blobs": []}
    for step in steps:
        out = step(counter=state["counter"])
        state["counter"] = out["counter"]
        state["blobs"].extend(out["blobs"])
    return state


# ---- durable_append / durable_tiny ---------------------------------------------------------
#
# The floor of the same storage idea: per superstep, the node's writes encoded with msgpack and
# inserted as one row in its own transaction (SQLite WAL, synchronous=NORMAL, as liteflow's
# default), then applied in memory; reading back folds the rows in order.


@dataclass(frozen=True, slots=True)
class DurableRun:
    result: dict[str, Any]
    path: str
    thread: str


@dataclass(frozen=True, slots=True)
class Durable:
    n: int
    step: Fn
    appends: frozenset[str]


def _open(path: str) -> Any:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS steps (thread TEXT NOT NULL, step INTEGER NOT NULL,"
        " writes BLOB NOT NULL, PRIMARY KEY (thread, step))"
    )
    return conn


def _apply(state: dict[str, Any], writes: dict[str, Any], appends: frozenset[str]) -> None:
    for key, value in writes.items():
        if key in appends:
            state.setdefault(key, []).extend(value)
        else:
            state[key] = value


def _grow(i: int) -> dict[str, Any]:
    return {"i": i + 1, "items": [durable_blob(i)]}


def _grow_noise(i: int) -> dict[str, Any]:
    return {"i": i + 1, "items": [durable_noise(i)]}


def _tick(i: int) -> dict[str, Any]:
    return {"i": i + 1}


def build_durable_append(n: int) -> Durable:
    return Durable(n, _grow, frozenset({"items"}))


def build_durable_tiny(n: int) -> Durable:
    return Durable(n, _tick, frozenset())


def _run_durable(d: Durable) -> DurableRun:
    import msgpack

    path = fresh_db_path()
    conn = _open(path)
    state: dict[str, Any] = {"i": 0}
    insert = "INSERT INTO steps (thread, step, writes) VALUES (?, ?, ?)"
    try:
        conn.execute(insert, ("bench", 0, msgpack.packb(state)))
        step = 0
        while state["i"] < d.n:
            writes = d.step(i=state["i"])
            step += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(insert, ("bench", step, msgpack.packb(writes)))
            conn.execute("COMMIT")
            _apply(state, writes, d.appends)
    finally:
        conn.close()
    return DurableRun(state, path, "bench")


run_durable_append = run_durable_tiny = _run_durable


# On PostgreSQL: the same rows (BYTEA), each INSERT its own transaction (autocommit: one
# round trip per superstep).


@dataclass(frozen=True, slots=True)
class OnPostgres:
    durable: Durable
    databases: PgDatabases


def build_durable_append_pg(n: int) -> OnPostgres:
    durable_noise(0)  # the random letters are made before the timed runs
    return OnPostgres(Durable(n, _grow_noise, frozenset({"items"})), PgDatabases())


def build_durable_tiny_pg(n: int) -> OnPostgres:
    return OnPostgres(build_durable_tiny(n), PgDatabases())


def _open_pg(dsn: str) -> Any:
    import psycopg

    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS steps (thread TEXT NOT NULL, step INTEGER NOT NULL,"
        " writes BYTEA NOT NULL, PRIMARY KEY (thread, step))"
    )
    return conn


def run_durable_append_pg(built: OnPostgres) -> DurableRun:
    import msgpack

    d = built.durable
    dsn = built.databases.take()
    conn = _open_pg(dsn)
    state: dict[str, Any] = {"i": 0}
    insert = "INSERT INTO steps (thread, step, writes) VALUES (%s, %s, %s)"
    try:
        conn.execute(insert, ("bench", 0, msgpack.packb(state)))
        step = 0
        while state["i"] < d.n:
            writes = d.step(i=state["i"])
            step += 1
            conn.execute(insert, ("bench", step, msgpack.packb(writes)))
            _apply(state, writes, d.appends)
    finally:
        conn.close()
    return DurableRun(state, dsn, "bench")


run_durable_tiny_pg = run_durable_append_pg


def read_back(d: Any, run: DurableRun) -> dict[str, Any]:
    import msgpack

    if is_pg(run.path):
        conn = _open_pg(run.path)
        try:
            state: dict[str, Any] = {}
            rows = conn.execute(
                "SELECT writes FROM steps WHERE thread = %s ORDER BY step", (run.thread,)
            ).fetchall()
            for (writes,) in rows:
                _apply(state, msgpack.unpackb(writes), d.durable.appends)
        finally:
            conn.close()
        return state
    conn = _open(run.path)
    try:
        state = {}
        rows = conn.execute(
            "SELECT writes FROM steps WHERE thread = ? ORDER BY step", (run.thread,)
        )
        for (writes,) in rows:
            _apply(state, msgpack.unpackb(writes), d.appends)
    finally:
        conn.close()
    return state


# ---- normalisation -------------------------------------------------------------------------


def final_state(raw: Any) -> dict[str, Any]:
    if isinstance(raw, DurableRun):
        return raw.result
    return raw


def supersteps(raw: Any) -> int | None:
    return None


def node_count(runnable: list[Fn]) -> int:
    return len(runnable)
