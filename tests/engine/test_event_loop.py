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
    EventLoopError,
    NodeError,
    SuperStepEvent,
    UpdateStrategy,
    Workflow,
    flow,
    node,
)


class Seen(TypedDict):
    seen: Annotated[list[str], UpdateStrategy.APPEND]


class Seed(TypedDict):
    seed: int


async def _answer() -> str:
    await asyncio.sleep(0)
    return "ok"


def _loop_name() -> str:
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


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

    branches = [make(i) for i in range(40)]

    @node
    def 起(seed: int) -> Seed:
        return {"seed": seed}

    @flow(output=Seen)
    def 扇(seed: int) -> None:
        起 >> branches  # type: ignore[operator]

    assert 扇.run(seed=0).output["seen"] == [str(i) for i in range(40)]
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

    branches = [make(i) for i in range(200)]

    @node
    def 起(seed: int) -> Seed:
        return {"seed": seed}

    @flow(output=Seen)
    def 失败(seed: int) -> None:
        起 >> branches  # type: ignore[operator]

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
