"""Events arrive as they happen, also from sync nodes; `arun` never freezes its caller.

Arrival times are measured against generous bounds: a sync node sleeping `NAP` seconds
must not delay what should arrive before it ends (the machine may be loaded).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Annotated, TypedDict

from liteflow import (
    START,
    CheckpointSaved,
    Context,
    CustomEvent,
    Event,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    SuperStepEvent,
    TokenEvent,
    UpdateStrategy,
    flow,
    node,
)
from liteflow.testing import FakeOpenAIServer, Reply

NAP = 0.25
# What should arrive after one node's nap, not two, arrives before this.
SOON = 1.5 * NAP


class 甲出(TypedDict):
    a: int


class 乙出(TypedDict):
    b: int


class 列(TypedDict):
    out: Annotated[list[str], UpdateStrategy.APPEND]


class 计(TypedDict):
    k: int


@node
def 慢甲(n: int) -> 甲出:
    time.sleep(NAP)
    return {"a": n + 1}


@node
def 慢乙(a: int) -> 乙出:
    time.sleep(NAP)
    return {"b": a + 1}


@flow(output=乙出)
def 两段(n: int) -> None:
    慢甲 >> 慢乙


def _timed(events: list[tuple[float, Event]], kind: type[Event]) -> list[float]:
    return [t for t, e in events if isinstance(e, kind)]


def test_stream_delivers_each_superstep_at_its_barrier() -> None:
    start = time.perf_counter()
    events = [(time.perf_counter() - start, e) for e in 两段.stream(n=1)]
    steps = _timed(events, SuperStepEvent)
    assert len(steps) == 2
    assert steps[0] < SOON, steps  # not at the end of the run (2 × NAP)
    assert steps[1] >= 2 * NAP
    started = _timed(events, NodeStarted)
    assert started[0] < NAP / 2 and NAP <= started[1] < SOON


async def test_astream_of_sync_nodes_is_live_and_leaves_the_loop_free() -> None:
    ticks: list[float] = []

    async def heartbeat() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(heartbeat())
    start = time.perf_counter()
    arrivals = [(time.perf_counter() - start, e) async for e in 两段.astream(n=1)]
    beating.cancel()
    assert _timed(arrivals, SuperStepEvent)[0] < SOON
    # The loop kept ticking while the sync nodes slept (no gap near a whole node).
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 10 and max(gaps) < NAP / 2, max(gaps)


async def test_arun_of_a_lone_sync_node_does_not_block_the_callers_loop() -> None:
    @node
    def 独(n: int) -> 甲出:
        time.sleep(NAP)
        return {"a": n}

    @flow(output=甲出)
    def 单节点(n: int) -> None:
        START >> 独

    ticks = 0

    async def heartbeat() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    beating = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)
    before = ticks
    result = await 单节点.arun(n=3)
    beating.cancel()
    assert result.output == {"a": 3}
    assert ticks - before >= 5  # it ticks through the node's sleep (≈ 20 ticks unloaded)


def test_custom_events_arrive_while_a_sync_node_still_runs() -> None:
    @node
    def 汇报(n: int, ctx: Context) -> 甲出:
        ctx.emit("开始", {"n": n})
        time.sleep(NAP)
        ctx.emit("结束", None)
        return {"a": n}

    @node
    async def 旁(n: int) -> 乙出:
        return {"b": n}

    @flow(output=甲出)
    def 有事件(n: int) -> None:
        START >> [汇报, 旁]  # a parallel superstep: sync on the pool, async as a task

    start = time.perf_counter()
    events = [(time.perf_counter() - start, e) for e in 有事件.stream(n=1)]
    custom = [(t, e.name) for t, e in events if isinstance(e, CustomEvent)]
    assert [name for _, name in custom] == ["开始", "结束"]
    assert custom[0][0] < NAP / 2
    assert custom[1][0] >= NAP


def test_on_event_of_a_run_sees_events_as_they_happen() -> None:
    seen: list[tuple[float, Event]] = []
    start = time.perf_counter()
    两段.with_options(on_event=lambda e: seen.append((time.perf_counter() - start, e))).run(n=1)
    assert _timed(seen, SuperStepEvent)[0] < SOON


def test_a_sync_node_inside_a_subflow_runs_beside_async_siblings() -> None:
    @node
    def 内慢(n: int) -> 甲出:
        time.sleep(NAP * 2)
        return {"a": n}

    @flow(output=甲出)
    def 内流程(n: int) -> None:
        START >> 内慢

    @node
    async def 外慢(n: int) -> 乙出:
        await asyncio.sleep(NAP * 2)
        return {"b": n}

    class 两个(TypedDict):
        a: int
        b: int

    @flow(output=两个)
    def 外流程(n: int) -> None:
        START >> [内流程, 外慢]

    start = time.perf_counter()
    assert 外流程.run(n=1).output == {"a": 1, "b": 1}
    took = time.perf_counter() - start
    assert took < NAP * 2 * 1.6, took  # side by side, not one after the other (4 × NAP)

    start = time.perf_counter()
    events = [(time.perf_counter() - start, e) for e in 外流程.stream(n=1)]
    inner_started = [t for t, e in events
                      if isinstance(e, NodeStarted) and e.node == "内慢"]
    assert inner_started and inner_started[0] < NAP  # subflow events are live too


def test_tokens_of_a_streaming_model_arrive_before_the_node_ends() -> None:
    reply = Reply("一二三四", chunks=["一", "二", "三", "四"], chunk_delay=0.05)
    with FakeOpenAIServer([reply]) as server:
        llm = server.chat_model("测试模型")

        @node
        def 说(n: int) -> 列:
            return {"out": [c.content for c in llm.stream("说话")]}

        @flow(output=列)
        def 说话(n: int) -> None:
            START >> 说

        start = time.perf_counter()
        events = [(time.perf_counter() - start, e) for e in 说话.stream(n=1)]
    tokens = [(t, e.token) for t, e in events if isinstance(e, TokenEvent)]
    assert [token for _, token in tokens] == ["一", "二", "三", "四"]
    finished = _timed(events, NodeFinished)[0]
    assert finished - tokens[0][0] >= 0.1  # the first token came well before the end


def test_the_event_set_of_a_paused_and_resumed_thread() -> None:
    @node
    def 问(n: int, ctx: Context) -> 甲出:
        return {"a": ctx.interrupt("多少？")}

    @flow(output=甲出)
    def 问答(n: int) -> None:
        START >> 问

    got: list[Event] = []
    app = 问答.with_options(thread_id="事件", checkpointer="memory://", on_event=got.append)
    app.run(n=1)
    paused = [e for e in got if isinstance(e, RunInterrupted)]
    assert len(paused) == 1 and paused[0].superstep == 1
    assert paused[0].interrupts[0].payload == "多少？" and paused[0].thread_id == "事件"
    got.clear()
    app.resume(7)
    kinds = [type(e).__name__ for e in got]
    assert kinds == ["RunStarted", "RunResumed", "NodeStarted", "NodeFinished",
                     "CheckpointSaved", "SuperStepEvent", "RunFinished"]
    saved = next(e for e in got if isinstance(e, CheckpointSaved))
    assert saved.superstep == 1 and saved.nbytes > 0 and saved.duration >= 0
    finished = next(e for e in got if isinstance(e, NodeFinished))
    assert finished.attempts == 1 and not finished.cached and not finished.restored
    assert all(e.flow == "问答" and e.run_id == got[0].run_id for e in got)
    assert isinstance(got[0], RunStarted) and isinstance(got[-1], RunFinished)
    assert next(e for e in got if isinstance(e, RunResumed)).superstep == 0


async def test_cancelling_arun_stops_a_flow_of_sync_nodes_at_the_next_superstep() -> None:
    calls: list[int] = []

    def make(i: int) -> object:
        def step(k: int) -> 计:
            calls.append(i)
            time.sleep(0.05)
            return {"k": k + 1}

        step.__name__ = step.__qualname__ = f"步{i}"
        return node(step)

    steps = [make(i) for i in range(20)]

    @flow(output=计, max_supersteps=30)
    def 长链(k: int) -> None:
        for a, b in itertools.pairwise(steps):
            a >> b  # type: ignore[operator]

    task = asyncio.create_task(长链.arun(k=0))
    await asyncio.sleep(0.12)
    started = time.perf_counter()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    else:
        raise AssertionError("the run was not cancelled")
    assert time.perf_counter() - started < 0.05  # the caller is free at once
    await asyncio.sleep(0.2)
    ran = len(calls)
    assert ran < 10  # it stopped at a barrier, not after all 20 nodes
    await asyncio.sleep(0.15)
    assert len(calls) == ran


async def test_arun_of_sync_nodes_delivers_on_event_live() -> None:
    seen: list[tuple[float, Event]] = []
    start = time.perf_counter()
    listened = 两段.with_options(on_event=lambda e: seen.append((time.perf_counter() - start, e)))
    result = await listened.arun(n=1)
    assert result.output == {"b": 3}
    assert _timed(seen, SuperStepEvent)[0] < SOON
