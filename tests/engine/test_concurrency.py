"""`max_concurrency=N` (SPEC §1.3): at most N node calls of a superstep at once — async and
sync nodes, `each` instances, calls inside subflows, durable runs — with the same results
in the same merge order as an unlimited run."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow import (
    START,
    Context,
    FlowDefinitionError,
    LocalExecutor,
    NodeError,
    UpdateStrategy,
    each,
    flow,
    node,
)
from liteflow.engine.invoke import NodeCall

CALL = 0.2  # seconds each call of the timed tests takes


class 记录(TypedDict):
    out: Annotated[list[int], UpdateStrategy.APPEND]


class 列表(TypedDict):
    items: list[int]


class Overlap:
    """Counts the calls running at once (threads and tasks alike) and the peak."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.started: list[int] = []

    def enter(self, i: int) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.started.append(i)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def _worker(i: int, meter: Overlap, is_async: bool, seconds: float = CALL) -> Any:
    if is_async:
        async def call_async(x: int) -> 记录:
            meter.enter(i)
            try:
                await asyncio.sleep(seconds)
            finally:
                meter.leave()
            return {"out": [i]}
        return node(name=f"异步{i}")(call_async)

    def call_sync(x: int) -> 记录:
        meter.enter(i)
        try:
            time.sleep(seconds)
        finally:
            meter.leave()
        return {"out": [i]}
    return node(name=f"同步{i}")(call_sync)


def _fan_out(workers: Sequence[Any]) -> Any:
    @flow(output=记录)
    def 扇出(x: int) -> None:
        START >> list(workers)
    return 扇出


def _timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def _run(target: Any, how: str) -> Any:
    if how == "run":
        return target.run(x=1)
    return asyncio.run(target.arun(x=1))


@pytest.mark.parametrize("how", ["run", "arun"])
@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
def test_six_calls_two_at_a_time_take_three_rounds(is_async: bool, how: str) -> None:
    meter = Overlap()
    fan = _fan_out([_worker(i, meter, is_async) for i in range(6)])
    result, took = _timed(lambda: _run(fan.with_options(max_concurrency=2), how))
    assert meter.peak == 2
    assert 3 * CALL * 0.9 <= took < 3 * CALL + 1.5  # three rounds of two, not one of six
    assert result.output == {"out": [0, 1, 2, 3, 4, 5]}
    unlimited = Overlap()
    fan = _fan_out([_worker(i, unlimited, is_async) for i in range(6)])
    again, took = _timed(lambda: _run(fan, how))
    assert unlimited.peak == 6 and took < 3 * CALL * 0.9
    assert again.output == result.output


@pytest.mark.parametrize("how", ["run", "arun"])
@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
def test_each_instances_are_bounded_too(is_async: bool, how: str) -> None:
    meter = Overlap()

    if is_async:
        async def 处理(item: int) -> 记录:
            meter.enter(item)
            await asyncio.sleep(CALL)
            meter.leave()
            return {"out": [item * 10]}
    else:
        def 处理(item: int) -> 记录:
            meter.enter(item)
            time.sleep(CALL)
            meter.leave()
            return {"out": [item * 10]}
    worker = node(处理)

    @node
    def 准备(x: int) -> 列表:
        return {"items": list(range(6))}

    @flow(output=记录)
    def 映射(x: int) -> None:
        准备 >> each("items", worker, item="item")

    result, took = _timed(lambda: _run(映射.with_options(max_concurrency=2), how))
    assert meter.peak == 2
    assert 3 * CALL * 0.9 <= took < 3 * CALL + 1.5
    assert result.output == {"out": [0, 10, 20, 30, 40, 50]}


def test_sync_and_async_calls_share_one_bound() -> None:
    meter = Overlap()
    workers = [_worker(i, meter, i % 2 == 0, 0.05) for i in range(8)]
    result = _fan_out(workers).with_options(max_concurrency=3).run(x=1)
    assert meter.peak == 3
    assert result.output == {"out": list(range(8))}


def test_a_limit_of_one_runs_the_calls_one_after_another_in_plan_order() -> None:
    meter = Overlap()
    workers = [_worker(i, meter, True, 0.01) for i in range(5)]
    result = _fan_out(workers).with_options(max_concurrency=1).run(x=1)
    assert meter.peak == 1 and meter.started == [0, 1, 2, 3, 4]
    assert result.output == {"out": [0, 1, 2, 3, 4]}


def test_subflow_calls_count_against_the_parent_limit() -> None:
    meter = Overlap()
    inner = [_worker(i, meter, i % 2 == 0, 0.1) for i in range(4)]

    @flow(output=记录)
    def 子流程(x: int) -> None:
        START >> inner

    beside = _worker(9, meter, False, 0.1)

    @flow(output=记录)
    def 父流程(x: int) -> None:
        START >> [子流程, beside]

    # Unlimited, the subflow's four calls and the one beside it run together.
    assert 父流程.run(x=1).output == {"out": [0, 1, 2, 3, 9]} and meter.peak == 5
    for limit in (1, 2, 3):
        meter.peak = 0
        result = 父流程.with_options(max_concurrency=limit).run(x=1)
        # The subflow's own call takes no slot, so a limit of 1 does not wait for itself.
        assert meter.peak == limit, limit
        assert result.output == {"out": [0, 1, 2, 3, 9]}


def test_a_subflow_with_its_own_tighter_limit_keeps_both() -> None:
    everywhere, inside = Overlap(), Overlap()

    def make(i: int) -> Any:
        async def call(x: int) -> 记录:
            everywhere.enter(i)
            inside.enter(i)
            await asyncio.sleep(0.05)
            inside.leave()
            everywhere.leave()
            return {"out": [i]}
        return node(name=f"窄{i}")(call)

    @flow(output=记录)
    def 窄子流程(x: int) -> None:
        START >> [make(i) for i in range(4)]

    tight = 窄子流程.with_options(max_concurrency=1)
    outer = [_worker(10 + i, everywhere, True, 0.15) for i in range(3)]

    @flow(output=记录)
    def 宽父流程(x: int) -> None:
        START >> [tight, *outer]

    result = 宽父流程.with_options(max_concurrency=3).run(x=1)
    assert inside.peak == 1 and everywhere.peak == 3
    assert result.output == {"out": [0, 1, 2, 3, 10, 11, 12]}


def test_the_first_failure_stops_calls_still_waiting_for_a_slot() -> None:
    ran: list[int] = []

    def make(i: int) -> Any:
        async def call(x: int) -> 记录:
            ran.append(i)
            await asyncio.sleep(0.01)
            if i == 0:
                raise ValueError("坏了")
            return {"out": [i]}
        return node(name=f"排队{i}")(call)

    fan = _fan_out([make(i) for i in range(5)]).with_options(max_concurrency=1)
    with pytest.raises(NodeError) as info:
        fan.run(x=1)
    assert info.value.node == "排队0"
    assert ran == [0]  # the others were still waiting: they never started


def test_durable_runs_are_bounded_and_resume_with_the_same_results(tmp_path: Path) -> None:
    meter = Overlap()
    asked: list[int] = []

    async def 提问(x: int, ctx: Context) -> 记录:
        meter.enter(100)
        asked.append(1)
        meter.leave()
        answer = ctx.interrupt("继续吗？")
        return {"out": [int(answer)]}

    workers = [_worker(i, meter, i % 2 == 1, 0.05) for i in range(4)]
    fan = _fan_out([*workers, node(提问)])
    app = fan.with_options(max_concurrency=2, checkpointer=f"sqlite:///{tmp_path}/runs.db",
                           thread_id="t1")
    paused = app.run(x=1)
    assert paused.status == "interrupted" and meter.peak == 2
    meter.peak = 0
    done = app.resume(7)
    assert done.status == "completed"
    # The four finished calls were kept, not run again; only the question's node re-ran.
    assert meter.started.count(0) == 1 and len(asked) == 2
    assert done.output == {"out": [0, 1, 2, 3, 7]}


class _ElsewhereExecutor:
    """An `Executor` that runs calls one by one, as a stand-in for a remote one."""

    async def execute(self, calls: Sequence[NodeCall]) -> list[dict[str, Any]]:
        return [await call.run() for call in calls]


@pytest.mark.parametrize("order", ["limit first", "executor first", "together"])
def test_an_executor_that_cannot_keep_the_bound_is_refused_at_with_options(order: str) -> None:
    fan = _fan_out([_worker(0, Overlap(), True, 0.0)])
    elsewhere = _ElsewhereExecutor()
    with pytest.raises(FlowDefinitionError) as err:
        if order == "limit first":
            fan.with_options(max_concurrency=2).with_options(executor=elsewhere)
        elif order == "executor first":
            fan.with_options(executor=elsewhere).with_options(max_concurrency=2)
        else:
            fan.with_options(executor=elsewhere, max_concurrency=2)
    assert "max_concurrency" in str(err.value) and "_ElsewhereExecutor" in str(err.value)
    # The local executor keeps it, whichever instance it is.
    fan.with_options(executor=LocalExecutor(max_workers=2), max_concurrency=2)


def test_dask_and_ray_executors_are_refused_with_max_concurrency() -> None:
    from liteflow.executors import DaskExecutor, RayExecutor

    fan = _fan_out([_worker(0, Overlap(), True, 0.0)])
    for cls in (DaskExecutor, RayExecutor):
        # Not initialised: the refusal needs only the class, not a cluster (nor the package).
        executor = cls.__new__(cls)
        with pytest.raises(FlowDefinitionError, match=cls.__name__):
            fan.with_options(executor=executor, max_concurrency=4)
        with pytest.raises(FlowDefinitionError, match=cls.__name__):
            fan.with_options(max_concurrency=4).with_options(executor=executor)


def test_a_subflow_on_another_executor_inside_a_limited_run_is_an_error() -> None:
    inner = _fan_out([_worker(0, Overlap(), True, 0.0)]).with_options(
        executor=_ElsewhereExecutor())

    @flow(output=记录)
    def 外面(x: int) -> None:
        START >> inner

    assert 外面.run(x=1).output == {"out": [0]}  # unlimited: nothing to keep
    with pytest.raises(NodeError) as err:
        外面.with_options(max_concurrency=2).run(x=1)
    assert err.value.node == "扇出"
    cause = err.value.__cause__
    assert isinstance(cause, FlowDefinitionError) and "max_concurrency" in str(cause)


# -- merge order never depends on the limit -------------------------------------------

_EXAMPLES = int(os.environ.get("LITEFLOW_CONCURRENCY_EXAMPLES", "25"))


def _shuffled_flow(delays: Sequence[float], kinds: Sequence[bool]) -> Any:
    def make(i: int) -> Any:
        if kinds[i]:
            async def call_async(x: int) -> 记录:
                await asyncio.sleep(delays[i])
                return {"out": [i]}
            return node(name=f"甲{i}")(call_async)

        def call_sync(x: int) -> 记录:
            time.sleep(delays[i])
            return {"out": [i]}
        return node(name=f"乙{i}")(call_sync)

    workers = [make(i) for i in range(len(delays))]

    @node
    def 汇总(out: list[int]) -> 列表:
        return {"items": list(out)}

    @node
    def 翻十(item: int) -> 记录:
        return {"out": [item * 10]}

    @flow(output=记录)
    def 随机(x: int) -> None:
        START >> workers
        workers >> 汇总
        汇总 >> each("items", 翻十, item="item")

    return 随机


@settings(max_examples=_EXAMPLES, deadline=None)
@given(data=st.data())
def test_results_and_merge_order_are_those_of_the_unlimited_run(data: st.DataObject) -> None:
    width = data.draw(st.integers(1, 7), label="width")
    delays = data.draw(st.lists(st.sampled_from([0.0, 0.001, 0.003]), min_size=width,
                                max_size=width), label="delays")
    kinds = data.draw(st.lists(st.booleans(), min_size=width, max_size=width), label="async")
    limit = data.draw(st.integers(1, 8), label="limit")
    target = _shuffled_flow(delays, kinds)
    unlimited = target.run(x=1)
    limited = target.with_options(max_concurrency=limit).run(x=1)
    assert limited.output == unlimited.output
    assert limited.final_state.to_dict() == unlimited.final_state.to_dict()
    assert asyncio.run(target.with_options(max_concurrency=limit).arun(x=1)).output \
        == unlimited.output


def test_batches_running_at_once_each_get_helpers_after_earlier_runs() -> None:
    """Helpers parked by earlier runs are woken for every batch that calls them in: a
    subflow's sync calls and its parent's never wait for each other's."""
    warm = Overlap()
    first, second = _worker(0, warm, False, 0.05), _worker(1, warm, False, 0.05)

    @flow(output=记录)
    def 预热(x: int) -> None:
        START >> [first, second]

    for _ in range(3):
        预热.run(x=1)  # leaves idle helpers behind
    meter = Overlap()
    inner = [_worker(i, meter, False, 0.1) for i in range(3)]

    @flow(output=记录)
    def 子流程(x: int) -> None:
        START >> inner

    beside = [_worker(8, meter, False, 0.1), _worker(9, meter, False, 0.1)]

    @flow(output=记录)
    def 父流程(x: int) -> None:
        START >> [子流程, *beside]

    for _ in range(3):
        meter.peak = 0
        assert 父流程.run(x=1).output == {"out": [0, 1, 2, 8, 9]}
        assert meter.peak == 5


class Part(TypedDict):
    parts: Annotated[list[int], UpdateStrategy.APPEND]


def test_trivial_wide_supersteps_wake_few_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls that never block are all done before a helper called in for them arrives:
    a run of trivial branches after another must not call in one more helper each time
    (each wake-up costs the run a thread hop and the machine a busy core)."""
    from liteflow.engine import workers

    turns = 0
    helped = workers.Batch.help

    def counted(batch: workers.Batch, cell: Any) -> None:
        nonlocal turns
        turns += 1
        helped(batch, cell)

    monkeypatch.setattr(workers.Batch, "help", counted)

    def branch(i: int) -> Any:
        def part(x: int) -> Part:
            return {"parts": [x + i]}

        part.__name__ = part.__qualname__ = f"分支{i}"
        return node(part)

    branches = [branch(i) for i in range(5)]

    @flow(output=Part)
    def 扇出(x: int) -> None:
        START >> branches

    runs = 1000
    for _ in range(runs):
        assert 扇出.run(x=1).output == {"parts": [1, 2, 3, 4, 5]}
    assert turns < runs // 4, f"{turns} helper turns for {runs} runs"
