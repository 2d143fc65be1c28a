"""How sync entry points drive a run: no event loop for sync plans, else a private loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest

from liteflow import (
    START,
    Context,
    EventLoopError,
    NodeError,
    NodeTypeError,
    SuperStepEvent,
    UpdateStrategy,
    Workflow,
    flow,
    node,
)
from liteflow.core.context import current_context


class Seen(TypedDict):
    seen: Annotated[list[str], UpdateStrategy.APPEND]


class Seed(TypedDict):
    seed: int


async def _answer() -> str:
    await asyncio.sleep(0)
    return "ok"


def _loop_name() -> str:
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


def _fan_of(branches: list[Any]) -> Any:
    @node
    def 起(seed: int) -> Seed:
        return {"seed": seed}

    @flow(output=Seen)
    def fan(seed: int) -> None:
        起 >> branches  # type: ignore[operator]

    return fan


@pytest.fixture
def default_policy() -> Iterator[None]:
    yield
    asyncio.set_event_loop_policy(None)


def test_sync_nodes_run_without_an_event_loop_and_may_start_their_own() -> None:
    """A plan of sync nodes runs in the calling thread: a node can call `asyncio.run`."""

    @node
    def 起(seed: int) -> Seed:
        return {"seed": seed}

    def make(i: int) -> Any:
        def branch(seed: int) -> Seen:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return {"seen": [f"{i}:{asyncio.run(_answer())}"]}
            return {"seen": [f"{i}:inside a loop"]}

        branch.__name__ = f"分支{i}"
        return node(branch)

    branches = [make(i) for i in range(8)]

    @node
    def 尾(seen: list[str]) -> Seen:
        return {"seen": [f"tail:{asyncio.run(_answer())}"]}

    @flow(output=Seen)
    def 同步(seed: int) -> None:
        起 >> branches  # type: ignore[operator]
        branches >> 尾  # type: ignore[operator]

    assert 同步.run(seed=1).output["seen"] == [f"{i}:ok" for i in range(8)] + ["tail:ok"]


def test_the_calling_thread_runs_branches_of_a_parallel_superstep_too() -> None:
    threads: set[int] = set()
    lock = threading.Lock()

    def make(i: int) -> Any:
        def branch(seed: int) -> Seen:
            with lock:
                threads.add(threading.get_ident())
            time.sleep(0.002)
            return {"seen": [str(i)]}

        branch.__name__ = f"支{i}"
        return node(branch)

    seen = _fan_of([make(i) for i in range(40)]).run(seed=0).output["seen"]
    assert seen == [str(i) for i in range(40)]
    assert threading.get_ident() in threads
    assert len(threads) > 1, "the pool shares the work"


def test_a_failing_branch_stops_the_superstep_and_commits_nothing() -> None:
    ran: list[int] = []

    def make(i: int) -> Any:
        def branch(seed: int) -> Seen:
            if i == 0:
                raise ValueError("坏了")
            time.sleep(0.005)
            ran.append(i)
            return {"seen": [str(i)]}

        branch.__name__ = f"枝{i}"
        return node(branch)

    失败 = _fan_of([make(i) for i in range(200)])
    steps: list[SuperStepEvent] = []
    with pytest.raises(NodeError) as info:
        失败.with_options(on_event=lambda e: steps.append(e) if isinstance(
            e, SuperStepEvent) else None).run(seed=0)
    assert info.value.node == "枝0"
    assert "ValueError: 坏了" in str(info.value)
    assert [s.superstep for s in steps] == [1], "the failed superstep committed nothing"
    assert len(ran) < 100, "the other workers stopped early"
    count = len(ran)
    time.sleep(0.05)
    assert len(ran) == count, "nothing of the superstep runs after run() raised"


def test_builder_workflows_of_sync_nodes_need_no_loop_either() -> None:
    wf = Workflow("构建", {"n": 1}).add_node(
        "异步库", lambda s: {"answer": asyncio.run(_answer()), "n": s["n"] + 1})
    assert wf.run().output == {"n": 2, "answer": "ok"}


def _async_flow() -> Any:
    @node
    async def 看(seed: int) -> Seen:
        await asyncio.sleep(0)
        return {"seen": [_loop_name()]}

    @flow(output=Seen)
    def 异步(seed: int) -> None:
        START >> 看

    return 异步


def test_async_flows_run_on_uvloop_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvloop")
    monkeypatch.delenv("LITEFLOW_EVENT_LOOP", raising=False)
    flow_ = _async_flow()
    assert flow_.run(seed=0).output["seen"] == ["uvloop"]
    events = list(flow_.stream(seed=0))
    assert events[-1].result.output["seen"] == ["uvloop"]


def test_the_environment_can_ask_for_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITEFLOW_EVENT_LOOP", "asyncio")
    assert _async_flow().run(seed=0).output["seen"] == ["asyncio"]


def test_an_application_event_loop_policy_is_respected(
        monkeypatch: pytest.MonkeyPatch, default_policy: None) -> None:
    monkeypatch.delenv("LITEFLOW_EVENT_LOOP", raising=False)

    class 自己的循环(asyncio.SelectorEventLoop):
        pass

    class Policy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return 自己的循环()

    自己的循环.__module__ = "application"
    asyncio.set_event_loop_policy(Policy())
    assert _async_flow().run(seed=0).output["seen"] == ["application"]


def test_an_unusable_choice_is_a_bilingual_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITEFLOW_EVENT_LOOP", "tokio")
    with pytest.raises(EventLoopError) as info:
        _async_flow().run(seed=0)
    assert "LITEFLOW_EVENT_LOOP=tokio" in info.value.render("en")
    assert "auto、uvloop 或 asyncio" in info.value.render("zh")


# -- async branches of one superstep ---------------------------------------------------


def test_a_failing_async_branch_names_its_node_and_cancels_the_others() -> None:
    finished: list[int] = []
    cancelled: list[int] = []

    def make(i: int) -> Any:
        async def branch(seed: int) -> Seen:
            if i == 3:
                await asyncio.sleep(0.01)
                raise KeyError("没有")
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                cancelled.append(i)
                raise
            finished.append(i)
            return {"seen": [str(i)]}

        branch.__name__ = f"异{i}"
        return node(branch)

    steps: list[SuperStepEvent] = []
    fan = _fan_of([make(i) for i in range(6)])
    started = time.perf_counter()
    with pytest.raises(NodeError) as info:
        fan.with_options(on_event=lambda e: steps.append(e) if isinstance(
            e, SuperStepEvent) else None).run(seed=0)
    assert time.perf_counter() - started < 4, "the failure did not wait for the others"
    assert info.value.node == "异3" and "KeyError" in str(info.value)
    assert finished == [] and sorted(cancelled) == [0, 1, 2, 4, 5]
    assert [s.superstep for s in steps] == [1]
    # Without listeners the same failure reads the same.
    with pytest.raises(NodeError) as again:
        fan.run(seed=0)
    assert again.value.node == "异3" and "KeyError" in str(again.value)


def test_async_branch_outputs_are_checked() -> None:
    def make(i: int) -> Any:
        async def branch(seed: int) -> Seen:
            await asyncio.sleep(0)
            return {"seen": i}  # type: ignore[typeddict-item]

        branch.__name__ = f"错{i}"
        return node(branch)

    with pytest.raises(NodeTypeError) as info:
        _fan_of([make(i) for i in range(3)]).run(seed=0)
    assert info.value.node == "错0" and info.value.key == "seen"


def test_async_branches_and_their_own_tasks_see_their_context() -> None:
    def make(i: int) -> Any:
        async def branch(seed: int, ctx: Context) -> Seen:
            async def helper() -> str:
                found = current_context()
                return "-" if found is None else f"{found.node}@{found.superstep}"

            inner = await asyncio.create_task(helper())
            return {"seen": [f"{ctx.node}|{inner}"]}

        branch.__name__ = f"任务{i}"
        return node(branch)

    seen = _fan_of([make(i) for i in range(4)]).run(seed=0).output["seen"]
    assert seen == [f"任务{i}|任务{i}@2" for i in range(4)]


def test_wide_sync_flows_nested_in_pool_workers_do_not_wait_on_a_busy_pool() -> None:
    """Three levels of wide flows on one two-worker pool: every worker ends up running a
    node that runs a wide flow of its own."""
    from liteflow import LocalExecutor

    small = LocalExecutor(max_workers=2)

    def level(make_branch: Any, width: int) -> Any:
        return _fan_of([make_branch(i) for i in range(width)]).with_options(executor=small)

    def leaf(i: int) -> Any:
        def branch(seed: int) -> Seen:
            time.sleep(0.001)
            return {"seen": [str(seed + i)]}

        branch.__name__ = f"叶{i}"
        return node(branch)

    def runs(inner: Any, name: str) -> Any:
        def make(i: int) -> Any:
            def branch(seed: int) -> Seen:
                return {"seen": ["+".join(inner.run(seed=10 * (seed + i)).output["seen"])]}

            branch.__name__ = f"{name}{i}"
            return node(branch)

        return make

    bottom = level(leaf, 3)
    middle = level(runs(bottom, "中"), 3)
    top = level(runs(middle, "外"), 3)
    box: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: box.update(out=top.run(seed=0).output))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the nested runs deadlocked"
    assert box["out"]["seen"] == [
        "+".join(str(10 * (10 * i + m) + j) for m in range(3) for j in range(3))
        for i in range(3)]


def _sleepers(seconds: float, count: int) -> Any:
    def make(i: int) -> Any:
        def branch(seed: int) -> Seen:
            time.sleep(seconds)
            return {"seen": [f"{i}@{threading.get_ident()}"]}

        branch.__name__ = f"眠{i}"
        return node(branch)

    return _fan_of([make(i) for i in range(count)])


def test_sync_branches_that_block_still_overlap() -> None:
    """Trivial branches run on the calling thread, but two blocked in I/O for 0.2 s each
    take ~0.2 s, not 0.4 s: a helper joins while a call waits to start."""
    fan = _sleepers(0.2, 2)
    for _ in range(3):  # also once the helpers are warm
        started = time.perf_counter()
        seen = fan.run(seed=0).output["seen"]
        elapsed = time.perf_counter() - started
        assert [s.split("@")[0] for s in seen] == ["0", "1"]
        assert len({s.split("@")[1] for s in seen}) == 2, "both ran on one thread"
        assert elapsed < 0.35, f"the branches ran one after another ({elapsed:.2f}s)"


def test_blocking_sync_branches_overlap_under_arun_too() -> None:
    """On an event loop the sync branches leave its thread and still overlap."""
    fan = _sleepers(0.2, 3)
    ticks: list[float] = []

    async def main() -> list[str]:
        async def tick() -> None:
            while True:
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.02)

        ticker = asyncio.create_task(tick())
        try:
            result = await fan.arun(seed=0)
        finally:
            ticker.cancel()
        seen: list[str] = result.output["seen"]
        return seen

    started = time.perf_counter()
    seen = asyncio.run(main())
    assert time.perf_counter() - started < 0.5
    assert [s.split("@")[0] for s in seen] == ["0", "1", "2"]
    assert threading.get_ident() not in {int(s.split("@")[1]) for s in seen}
    assert len(ticks) >= 5, "the caller's loop was blocked"


def test_many_small_fan_outs_in_a_row_stay_correct() -> None:
    """Back-to-back runs hand helpers batches that are already done: nothing is lost,
    duplicated or run twice."""
    calls: list[int] = []
    lock = threading.Lock()

    def make(i: int) -> Any:
        def branch(seed: int) -> Seen:
            with lock:
                calls.append(i)
            return {"seen": [f"{seed}:{i}"]}

        branch.__name__ = f"小{i}"
        return node(branch)

    fan = _fan_of([make(i) for i in range(10)])
    for run in range(300):
        assert fan.run(seed=run).output["seen"] == [f"{run}:{i}" for i in range(10)]
    assert sorted(calls) == sorted(list(range(10)) * 300)
