"""The workloads on liteflow's decorator DSL, with default options (runtime type checks on).

The run workloads create nodes programmatically (``node(fn)`` on a function whose ``__name__``
was set). The ``build`` and ``compile`` workloads declare distinct functions, one ``def`` per
node in a generated module, as users write them. Nodes are wired inside a ``@flow`` body, which
liteflow traces and compiles once, at decoration.
"""

# No ``from __future__ import annotations`` here: the nodes' hints must stay real objects,
# since the node functions are created inside factory functions.

import asyncio
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, TypedDict

import liteflow
from liteflow import START, UpdateStrategy, flow, node

from .common import (
    ASYNC_SLEEP_S,
    PgDatabases,
    append_item,
    blob,
    distinct_functions,
    durable_blob,
    durable_noise,
    fresh_db_path,
    is_pg,
)


def version() -> str:
    found = getattr(liteflow, "__version__", None)
    if found is None:
        try:
            found = importlib.metadata.version("liteflow")
        except importlib.metadata.PackageNotFoundError:
            found = "unknown"
    return f"liteflow {found}"


def _named(fn: Callable[..., Any], name: str) -> Any:
    fn.__name__ = name
    fn.__qualname__ = name
    return node(fn)


# ---- chain / build -------------------------------------------------------------------------


class ChainOut(TypedDict):
    counter: int


def _make_step(i: int) -> Any:
    def step(counter: int) -> ChainOut:
        return {"counter": counter + 1}

    return _named(step, f"step_{i}")


_STEP = """def step_{i}(counter: int) -> ChainOut:
    return {{"counter": counter + 1}}
"""


def step_functions(n: int) -> list[Any]:
    """The `build` workload's untimed part: `n` distinct plain functions."""
    return distinct_functions(n, _STEP, {"ChainOut": ChainOut})


def build_chain_from(functions: list[Any]) -> Any:
    """The `build` workload's timed part: `node()` on each function, trace, check, plan."""
    return compile_chain([node(fn) for fn in functions])


def build_chain(n: int) -> Any:
    """The chain the run workloads use: nodes from one factory."""
    return compile_chain([_make_step(i) for i in range(n)])


def prepare_chain(n: int) -> list[Any]:
    """The `compile` workload's untimed part: nodes of distinct functions."""
    return [node(fn) for fn in step_functions(n)]


def compile_chain(steps: list[Any]) -> Any:
    """The `compile` workload's timed part: trace the wiring, run every check, plan."""

    @flow(max_supersteps=len(steps) + 10)
    def chain(counter: int) -> ChainOut:
        for a, b in pairwise(steps):
            a >> b

    return chain


def run_chain(chain: Any) -> Any:
    return chain.run(counter=0)


# ---- loop ----------------------------------------------------------------------------------


class PingOut(TypedDict):
    i: int


class PongOut(TypedDict):
    j: int


class LoopOut(TypedDict):
    i: int
    j: int


def build_loop(n: int) -> Any:
    @node
    def ping(i: int) -> PingOut:
        return {"i": i + 1}

    @node
    def pong(j: int) -> PongOut:
        return {"j": j + 1}

    @flow(max_supersteps=2 * n + 10)
    def loop(i: int, j: int) -> LoopOut:
        START >> ping
        ping >> pong
        pong >> ping.when(lambda out: out["j"] < n)

    return loop


def run_loop(loop: Any) -> Any:
    return loop.run(i=0, j=0)


# ---- append_loop ---------------------------------------------------------------------------


class GrowOut(TypedDict):
    i: int
    items: Annotated[list[str], UpdateStrategy.APPEND]


class GrowFinal(TypedDict):
    i: int
    items: list[str]


def build_append_loop(n: int) -> Any:
    @node
    def grow(i: int) -> GrowOut:
        return {"i": i + 1, "items": [append_item(i)]}

    @flow(max_supersteps=n + 10)
    def append_loop(i: int) -> GrowFinal:
        START >> grow
        grow >> grow.when(lambda out: out["i"] < n)

    return append_loop


def run_append_loop(f: Any) -> Any:
    return f.run(i=0)


# ---- fanout / async_io ---------------------------------------------------------------------


class SourceOut(TypedDict):
    base: int


class BranchOut(TypedDict):
    items: Annotated[list[int], UpdateStrategy.APPEND]


class FanOut(TypedDict):
    count: int
    total: int


def _make_branch(i: int) -> Any:
    def branch(base: int) -> BranchOut:
        return {"items": [base + i]}

    return _named(branch, f"branch_{i}")


def _make_async_branch(i: int) -> Any:
    async def branch(base: int) -> BranchOut:
        await asyncio.sleep(ASYNC_SLEEP_S)
        return {"items": [base + i]}

    return _named(branch, f"branch_{i}")


def _build_fan(n: int, make: Callable[[int], Any]) -> Any:
    @node
    def source(seed: int) -> SourceOut:
        return {"base": seed}

    @node
    def aggregate(items: list[int]) -> FanOut:
        return {"count": len(items), "total": sum(items)}

    branches = [make(i) for i in range(n)]

    @flow(max_supersteps=10)
    def fan(seed: int) -> FanOut:
        source >> branches
        branches >> aggregate  # join: runs once, after every branch

    return fan


def build_fanout(n: int) -> Any:
    return _build_fan(n, _make_branch)


def run_fanout(fan: Any) -> Any:
    return fan.run(seed=0)


def build_async_io(n: int) -> Any:
    return _build_fan(n, _make_async_branch)


def run_async_io(fan: Any) -> Any:
    return fan.run(seed=0)


# ---- small flows: whole runs of the same shapes ---------------------------------------------

build_small_chain, run_small_chain = build_chain, run_chain
build_small_join = build_small_fanout = build_fanout
run_small_join = run_small_fanout = run_fanout


# ---- big_state -----------------------------------------------------------------------------


class BlobOut(TypedDict):
    counter: int
    blobs: Annotated[list[str], UpdateStrategy.APPEND]


class BigOut(TypedDict):
    counter: int
    blobs: list[str]


def _make_blob_step(i: int) -> Any:
    def step(counter: int) -> BlobOut:
        return {"counter": counter + 1, "blobs": [blob(i)]}

    return _named(step, f"blob_{i}")


def build_big_state(n: int) -> Any:
    steps = [_make_blob_step(i) for i in range(n)]

    @flow(max_supersteps=n + 10)
    def big(counter: int) -> BigOut:
        for a, b in pairwise(steps):
            a >> b

    return big


def run_big_state(big: Any) -> Any:
    return big.run(counter=0)


# ---- durable_append / durable_tiny ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DurableRun:
    """One durable run: its result and where its thread is stored."""

    result: Any
    path: str
    thread: str


class AppendOut(TypedDict):
    i: int
    items: Annotated[list[str], UpdateStrategy.APPEND]


class AppendFinal(TypedDict):
    i: int
    items: list[str]


class TinyOut(TypedDict):
    i: int


def build_durable_append(n: int, make: Callable[[int], str] = durable_blob) -> Any:
    @node
    def grow(i: int) -> AppendOut:
        return {"i": i + 1, "items": [make(i)]}

    @flow(max_supersteps=n + 10)
    def durable_append(i: int) -> AppendFinal:
        START >> grow
        grow >> grow.when(lambda out: out["i"] < n)

    return durable_append


def build_durable_tiny(n: int) -> Any:
    @node
    def tick(i: int) -> TinyOut:
        return {"i": i + 1}

    @flow(max_supersteps=n + 10)
    def durable_tiny(i: int) -> TinyOut:
        START >> tick
        tick >> tick.when(lambda out: out["i"] < n)

    return durable_tiny


def _run_durable(f: Any) -> DurableRun:
    path = fresh_db_path()
    app = f.with_options(thread_id="bench", checkpointer=f"sqlite:///{path}", durability="sync")
    return DurableRun(app.run(i=0), path, "bench")


run_durable_append = run_durable_tiny = _run_durable
build_durable_append_fsync = build_durable_append


def run_durable_append_fsync(f: Any) -> DurableRun:
    """As `durable_append` with `fsync=True` (SQLite `synchronous=FULL`: every commit is
    fsynced, as in LangGraph's `SqliteSaver`, which keeps SQLite's default)."""
    from liteflow.checkpoint import SqliteCheckpointer

    path = fresh_db_path()
    store = SqliteCheckpointer(path, fsync=True)
    try:
        app = f.with_options(thread_id="bench", checkpointer=store, durability="sync")
        return DurableRun(app.run(i=0), path, "bench")
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class OnPostgres:
    """A durable flow and the fresh databases its runs take, one each."""

    flow: Any
    databases: PgDatabases


def build_durable_append_pg(n: int) -> OnPostgres:
    durable_noise(0)  # the random letters are made before the timed runs
    return OnPostgres(build_durable_append(n, durable_noise), PgDatabases())


def build_durable_tiny_pg(n: int) -> OnPostgres:
    return OnPostgres(build_durable_tiny(n), PgDatabases())


def run_durable_append_pg(built: OnPostgres) -> DurableRun:
    """As `durable_append`, committed to PostgreSQL: `PostgresCheckpointer(dsn)`."""
    from liteflow.checkpoint import PostgresCheckpointer

    dsn = built.databases.take()
    store = PostgresCheckpointer(dsn)
    try:
        app = built.flow.with_options(thread_id="bench", checkpointer=store, durability="sync")
        return DurableRun(app.run(i=0), dsn, "bench")
    finally:
        store.close()


run_durable_tiny_pg = run_durable_append_pg


def read_back(f: Any, run: DurableRun) -> dict[str, Any]:
    """The thread's state as stored: `SqliteCheckpointer(path).load(thread)` (for PostgreSQL
    `PostgresCheckpointer(dsn).load(thread)`)."""
    from liteflow.checkpoint import PostgresCheckpointer, SqliteCheckpointer

    store = PostgresCheckpointer(run.path) if is_pg(run.path) else SqliteCheckpointer(run.path)
    try:
        values: dict[str, Any] = store.load(run.thread).values
    finally:
        store.close()
    return values


# ---- normalisation -------------------------------------------------------------------------


def final_state(raw: Any) -> dict[str, Any]:
    if isinstance(raw, DurableRun):
        raw = raw.result
    state: dict[str, Any] = raw.final_state.to_dict()
    return state


def supersteps(raw: Any) -> int | None:
    if isinstance(raw, DurableRun):
        raw = raw.result
    return int(raw.supersteps)


def node_count(compiled: Any) -> int:
    return len(compiled.plan.nodes)
