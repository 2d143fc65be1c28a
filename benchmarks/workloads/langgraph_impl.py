"""The workloads on LangGraph: ``StateGraph`` over a ``TypedDict`` state, compiled once.

Lists that several nodes extend use ``Annotated[list, operator.add]``. Each graph is compiled in
``build_*`` (outside the timed region, except in the ``build`` workload where building and
compiling *is* what is timed). The recursion limit is raised to fit the workload.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import operator
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph

from .common import (
    ASYNC_SLEEP_S,
    append_item,
    blob,
    distinct_functions,
    durable_blob,
    fresh_db_path,
)


def version() -> str:
    return f"langgraph {importlib.metadata.version('langgraph')}"


@dataclass(frozen=True, slots=True)
class Compiled:
    graph: Any
    #: Called per run, so no run can see a list left over from a previous one.
    inputs: Callable[[], dict[str, Any]]
    recursion_limit: int

    def invoke(self) -> dict[str, Any]:
        config = {"recursion_limit": self.recursion_limit}
        result: dict[str, Any] = self.graph.invoke(self.inputs(), config)
        return result

    async def ainvoke(self) -> dict[str, Any]:
        config = {"recursion_limit": self.recursion_limit}
        result: dict[str, Any] = await self.graph.ainvoke(self.inputs(), config)
        return result


# ---- chain / build -------------------------------------------------------------------------


class ChainState(TypedDict):
    counter: int


def _make_step(i: int) -> Callable[[ChainState], dict[str, Any]]:
    def step(state: ChainState) -> dict[str, Any]:
        return {"counter": state["counter"] + 1}

    step.__name__ = f"step_{i}"
    return step


_STEP = """def step_{i}(state: ChainState) -> dict[str, Any]:
    return {{"counter": state["counter"] + 1}}
"""


def step_functions(n: int) -> list[Callable[[ChainState], dict[str, Any]]]:
    """The `build` workload's untimed part: `n` distinct plain functions."""
    return distinct_functions(n, _STEP, {"ChainState": ChainState, "Any": Any})


def build_chain_from(functions: list[Callable[[ChainState], dict[str, Any]]]) -> Compiled:
    """The `build` workload's timed part: add the nodes and edges, compile."""
    return compile_chain(_builder(functions))


def build_chain(n: int) -> Compiled:
    return compile_chain(_builder([_make_step(i) for i in range(n)]))


def prepare_chain(n: int) -> Any:
    """The `compile` workload's untimed part: the graph builder with nodes and edges."""
    return _builder(step_functions(n))


def _builder(functions: list[Callable[[ChainState], dict[str, Any]]]) -> Any:
    builder = StateGraph(ChainState)
    names = [f"step_{i}" for i in range(len(functions))]
    for name, fn in zip(names, functions, strict=True):
        builder.add_node(name, fn)
    builder.add_edge(START, names[0])
    for a, b in pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return builder


def compile_chain(builder: Any) -> Compiled:
    """The `compile` workload's timed part: `StateGraph.compile()`."""
    return Compiled(builder.compile(), lambda: {"counter": 0}, len(builder.nodes) + 10)


def run_chain(compiled: Compiled) -> dict[str, Any]:
    return compiled.invoke()


# ---- loop ----------------------------------------------------------------------------------


class LoopState(TypedDict):
    i: int
    j: int


def _ping(state: LoopState) -> dict[str, Any]:
    return {"i": state["i"] + 1}


def _pong(state: LoopState) -> dict[str, Any]:
    return {"j": state["j"] + 1}


def build_loop(n: int) -> Compiled:
    builder = StateGraph(LoopState)
    builder.add_node("ping", _ping)
    builder.add_node("pong", _pong)
    builder.add_edge(START, "ping")
    builder.add_edge("ping", "pong")
    builder.add_conditional_edges(
        "pong", lambda state: "ping" if state["j"] < n else END, ["ping", END]
    )
    return Compiled(builder.compile(), lambda: {"i": 0, "j": 0}, 2 * n + 10)


def run_loop(compiled: Compiled) -> dict[str, Any]:
    return compiled.invoke()


# ---- append_loop ---------------------------------------------------------------------------


class GrowState(TypedDict):
    i: int
    items: Annotated[list[str], operator.add]


def _grow_one(state: GrowState) -> dict[str, Any]:
    return {"i": state["i"] + 1, "items": [append_item(state["i"])]}


def build_append_loop(n: int) -> Compiled:
    builder = StateGraph(GrowState)
    builder.add_node("grow", _grow_one)
    builder.add_edge(START, "grow")
    builder.add_conditional_edges(
        "grow", lambda state: "grow" if state["i"] < n else END, ["grow", END]
    )
    return Compiled(builder.compile(), lambda: {"i": 0, "items": []}, n + 10)


def run_append_loop(compiled: Compiled) -> dict[str, Any]:
    return compiled.invoke()


# ---- fanout / async_io ---------------------------------------------------------------------


class FanState(TypedDict, total=False):
    seed: int
    base: int
    items: Annotated[list[int], operator.add]
    count: int
    total: int


def _source(state: FanState) -> dict[str, Any]:
    return {"base": state["seed"]}


def _aggregate(state: FanState) -> dict[str, Any]:
    items = state["items"]
    return {"count": len(items), "total": sum(items)}


def _make_branch(i: int) -> Callable[[FanState], dict[str, Any]]:
    def branch(state: FanState) -> dict[str, Any]:
        return {"items": [state["base"] + i]}

    branch.__name__ = f"branch_{i}"
    return branch


def _make_async_branch(i: int) -> Callable[[FanState], Any]:
    async def branch(state: FanState) -> dict[str, Any]:
        await asyncio.sleep(ASYNC_SLEEP_S)
        return {"items": [state["base"] + i]}

    branch.__name__ = f"branch_{i}"
    return branch


def _build_fan(n: int, make: Callable[[int], Any]) -> Compiled:
    builder = StateGraph(FanState)
    builder.add_node("source", _source)
    builder.add_node("aggregate", _aggregate)
    names = [f"branch_{i}" for i in range(n)]
    for i, name in enumerate(names):
        builder.add_node(name, make(i))
        builder.add_edge("source", name)
    builder.add_edge(START, "source")
    builder.add_edge(names, "aggregate")  # join: waits for every branch
    builder.add_edge("aggregate", END)
    return Compiled(builder.compile(), lambda: {"seed": 0, "items": []}, 10)


def build_fanout(n: int) -> Compiled:
    return _build_fan(n, _make_branch)


def run_fanout(compiled: Compiled) -> dict[str, Any]:
    return compiled.invoke()


def build_async_io(n: int) -> Compiled:
    return _build_fan(n, _make_async_branch)


def run_async_io(compiled: Compiled) -> dict[str, Any]:
    return asyncio.run(compiled.ainvoke())


# ---- small flows: whole runs of the same shapes ---------------------------------------------

build_small_chain, run_small_chain = build_chain, run_chain
build_small_join = build_small_fanout = build_fanout
run_small_join = run_small_fanout = run_fanout


# ---- big_state -----------------------------------------------------------------------------


class BlobState(TypedDict):
    counter: int
    blobs: Annotated[list[str], operator.add]


def _make_blob_step(i: int) -> Callable[[BlobState], dict[str, Any]]:
    def step(state: BlobState) -> dict[str, Any]:
        return {"counter": state["counter"] + 1, "blobs": [blob(i)]}

    step.__name__ = f"blob_{i}"
    return step


def build_big_state(n: int) -> Compiled:
    builder = StateGraph(BlobState)
    names = [f"blob_{i}" for i in range(n)]
    for i, name in enumerate(names):
        builder.add_node(name, _make_blob_step(i))
    builder.add_edge(START, names[0])
    for a, b in pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    return Compiled(builder.compile(), lambda: {"counter": 0, "blobs": []}, n + 10)


def run_big_state(compiled: Compiled) -> dict[str, Any]:
    return compiled.invoke()


# ---- durable_append / durable_append_delta / durable_tiny ---------------------------------
#
# Each run compiles the graph with a `SqliteSaver` on a fresh file (as liteflow opens its URL)
# and invokes it with `durability="sync"`: every checkpoint is written before the next step.


@dataclass(frozen=True, slots=True)
class DurableRun:
    """One durable run: its result and where its thread is stored."""

    result: dict[str, Any]
    path: str
    thread: str
    #: SQLite's `PRAGMA synchronous` on the saver's connection (2 = FULL: fsync per commit).
    synchronous: int | None = None


@dataclass(frozen=True, slots=True)
class Durable:
    builder: Any
    inputs: Callable[[], dict[str, Any]]
    recursion_limit: int


class AppendState(TypedDict):
    i: int
    items: Annotated[list[str], operator.add]


def _extend(state: list[str] | None, writes: list[list[str]]) -> list[str]:
    """`DeltaChannel`'s reducer: deterministic and batching-invariant, as it requires."""
    out = list(state or [])
    for items in writes:
        out.extend(items)
    return out


def _delta_state() -> Any:
    from langgraph.channels.delta import DeltaChannel

    # The functional form: this module's annotations are strings, and LangGraph resolves
    # them in the module's globals, where a local `DeltaChannel(...)` is not.
    return TypedDict(
        "DeltaAppendState",
        {"i": int, "items": Annotated[list[str], DeltaChannel(_extend)]},  # default frequency
    )


def _grow(state: AppendState) -> dict[str, Any]:
    return {"i": state["i"] + 1, "items": [durable_blob(state["i"])]}


class TinyState(TypedDict):
    i: int


def _tick(state: TinyState) -> dict[str, Any]:
    return {"i": state["i"] + 1}


def _durable_loop(n: int, schema: Any, fn: Callable[[Any], dict[str, Any]],
                  inputs: Callable[[], dict[str, Any]]) -> Durable:
    builder = StateGraph(schema)
    builder.add_node("step", fn)
    builder.add_edge(START, "step")
    builder.add_conditional_edges(
        "step", lambda state: "step" if state["i"] < n else END, ["step", END]
    )
    return Durable(builder, inputs, n + 10)


def build_durable_append(n: int) -> Durable:
    return _durable_loop(n, AppendState, _grow, lambda: {"i": 0, "items": []})


def build_durable_append_delta(n: int) -> Durable:
    # Unannotated, so that LangGraph does not take `_grow`'s `AppendState` hint as a schema.
    return _durable_loop(n, _delta_state(), lambda state: _grow(state),
                         lambda: {"i": 0, "items": []})


def build_durable_tiny(n: int) -> Durable:
    return _durable_loop(n, TinyState, _tick, lambda: {"i": 0})


def _config(d: Durable, thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}, "recursion_limit": d.recursion_limit}


def _run_durable(d: Durable) -> DurableRun:
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = fresh_db_path()
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        graph = d.builder.compile(checkpointer=SqliteSaver(conn))
        result = graph.invoke(d.inputs(), _config(d, "bench"), durability="sync")
        synchronous = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    finally:
        conn.close()
    return DurableRun(result, path, "bench", synchronous)


run_durable_append = run_durable_append_delta = run_durable_tiny = _run_durable


def read_back(d: Durable, run: DurableRun) -> dict[str, Any]:
    """The thread's state as stored: `graph.get_state(config)` on a new connection."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(run.path, check_same_thread=False)
    try:
        graph = d.builder.compile(checkpointer=SqliteSaver(conn))
        values: dict[str, Any] = graph.get_state(_config(d, run.thread)).values
    finally:
        conn.close()
    return values


# ---- normalisation -------------------------------------------------------------------------


def final_state(raw: Any) -> dict[str, Any]:
    if isinstance(raw, DurableRun):
        return raw.result
    state: dict[str, Any] = raw
    return state


def supersteps(raw: Any) -> int | None:
    return None


def node_count(compiled: Compiled) -> int:
    return len(compiled.graph.builder.nodes)
