"""`with_options(metrics=True)`: per-node figures in `RunResult.metrics`."""

from __future__ import annotations

import time
from typing import Annotated, TypedDict

import pytest

from liteflow import (
    START,
    Context,
    NodeMetrics,
    RunMetrics,
    UpdateStrategy,
    each,
    flow,
    node,
)
from liteflow.core.errors import FlowDefinitionError
from liteflow.testing import FakeOpenAIServer, Reply


class 数(TypedDict):
    n: int


class 列表(TypedDict):
    items: list[int]


class 收集(TypedDict):
    out: Annotated[list[int], UpdateStrategy.APPEND]


@node
def 加一(n: int) -> 数:
    time.sleep(0.01)
    return {"n": n + 1}


@node
def 展开(n: int) -> 列表:
    return {"items": list(range(n))}


@node
def 平方(x: int) -> 收集:
    return {"out": [x * x]}


@flow(output=收集)
def 统计流程(n: int) -> None:
    加一 >> 展开 >> each("items", 平方, item="x")


def test_no_metrics_unless_asked() -> None:
    assert 统计流程.run(n=2).metrics is None


def test_calls_times_and_supersteps_per_node() -> None:
    result = 统计流程.with_options(metrics=True).run(n=3)
    metrics = result.metrics
    assert isinstance(metrics, RunMetrics)
    assert metrics.supersteps == result.supersteps == 3
    assert metrics.duration == pytest.approx(result.duration, rel=0.5)
    assert list(metrics.nodes) == ["加一", "展开", "平方"]  # in the order they first ran
    first = metrics.nodes["加一"]
    assert isinstance(first, NodeMetrics)
    assert first.calls == 1 and first.failures == 0 and first.retries == 0
    assert first.total_s >= 0.01 and first.max_s == first.total_s == first.mean_s
    squares = metrics.nodes["平方"]
    assert squares.calls == 4  # one per `each` instance
    assert squares.mean_s == pytest.approx(squares.total_s / 4)
    assert squares.max_s <= squares.total_s
    assert metrics.checkpoint_bytes == 0 and metrics.checkpoint_s == 0.0


def test_retries_and_fallback_failures_are_counted() -> None:
    tries = {"n": 0}

    @node(retry_count=2, retry_delay=0.001)
    def 不稳(n: int) -> 数:
        tries["n"] += 1
        if tries["n"] < 3:
            raise ConnectionError("断线")
        return {"n": n}

    def 兜底(n: int, error: Exception) -> 数:
        return {"n": -1}

    @node(fallback=兜底)
    def 总失败(n: int) -> 数:
        raise ValueError("坏")

    @flow(output=数)
    def 重试流程(n: int) -> None:
        不稳 >> 总失败

    metrics = 重试流程.with_options(metrics=True).run(n=1).metrics
    assert metrics is not None
    assert metrics.nodes["不稳"].retries == 2
    assert metrics.nodes["不稳"].calls == 1 and metrics.nodes["不稳"].failures == 0
    assert metrics.nodes["总失败"].failures == 1


async def test_async_and_sync_nodes_in_parallel_are_all_counted() -> None:
    @node
    async def 异步(n: int) -> 收集:
        return {"out": [n]}

    @node
    def 同步(n: int) -> 收集:
        return {"out": [n]}

    @flow(output=收集)
    def 并行(n: int) -> None:
        START >> [异步, 同步]

    metrics = (await 并行.with_options(metrics=True).arun(n=1)).metrics
    assert metrics is not None
    assert metrics.nodes["异步"].calls == 1 and metrics.nodes["同步"].calls == 1


def test_checkpoint_bytes_and_seconds() -> None:
    app = 统计流程.with_options(metrics=True, checkpointer="memory://", thread_id="指标")
    metrics = app.run(n=2).metrics
    assert metrics is not None
    assert metrics.checkpoint_bytes > 0 and metrics.checkpoint_s > 0


def test_restored_calls_after_an_interrupt() -> None:
    @node
    def 审批(n: int, ctx: Context) -> 数:
        return {"n": ctx.interrupt("批准吗？")}

    @node
    def 旁路(n: int) -> 收集:
        return {"out": [n]}

    @flow(output=收集)
    def 人工流程(n: int) -> None:
        START >> [审批, 旁路]

    app = 人工流程.with_options(metrics=True, checkpointer="memory://", thread_id="人")
    first = app.run(n=1)
    assert first.status == "interrupted"
    assert first.metrics is not None and first.metrics.nodes["旁路"].calls == 1
    assert "审批" not in first.metrics.nodes  # a question is not a call that ran
    second = app.resume(5).metrics
    assert second is not None
    assert second.nodes["旁路"].restored == 1 and second.nodes["旁路"].calls == 1
    assert second.nodes["审批"].calls == 1 and second.nodes["审批"].restored == 0


def test_tokens_from_the_chat_model_usage() -> None:
    script = [Reply("第一", usage=(11, 3)), Reply("第二", usage=(7, 5))]
    with FakeOpenAIServer(script) as server:
        llm = server.chat_model("测试模型")

        class 回答(TypedDict):
            answer: str

        @node
        def 问两次(question: str) -> 回答:
            a = llm.invoke(question).content
            b = "".join(c.content for c in llm.stream(question))
            return {"answer": a + b}

        @flow(output=回答)
        def 问答(question: str) -> None:
            START >> 问两次

        result = 问答.with_options(metrics=True).run(question="你好")
    assert result.output == {"answer": "第一第二"}
    assert result.metrics is not None
    figures = result.metrics.nodes["问两次"]
    assert (figures.tokens_in, figures.tokens_out) == (18, 8)


def test_metrics_must_be_a_bool() -> None:
    with pytest.raises(FlowDefinitionError, match="metrics"):
        统计流程.with_options(metrics="yes")  # type: ignore[arg-type]
