"""The `liteflow` logger: retries, failures, pauses in the run's language, with extras."""

from __future__ import annotations

import logging
from typing import TypedDict

import pytest

from liteflow import START, Context, NodeError, flow, node


class 数(TypedDict):
    n: int


def _flaky() -> object:
    tries = {"n": 0}

    @node(retry_count=1, retry_delay=0.001)
    def 不稳(n: int) -> 数:
        tries["n"] += 1
        if tries["n"] == 1:
            raise ConnectionError("断线")
        return {"n": n}

    @flow(output=数)
    def 重试流程(n: int) -> None:
        START >> 不稳

    return 重试流程


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "🔁 工作流 重试流程 超步 1 节点 不稳 第 1 次尝试失败（ConnectionError: 断线），"
           "0.00s 后重试"),
    ("en", "🔁 Workflow 重试流程 superstep 1: node 不稳 failed attempt 1 "
           "(ConnectionError: 断线), retrying in 0.00s"),
])
def test_a_retry_is_a_warning_in_the_runs_language(caplog: pytest.LogCaptureFixture,
                                                   language: str, expected: str) -> None:
    with caplog.at_level(logging.WARNING, logger="liteflow"):
        _flaky().with_options(language=language).run(n=1)  # type: ignore[attr-defined]
    records = [r for r in caplog.records if r.name == "liteflow"]
    assert [r.getMessage() for r in records] == [expected]
    record = records[0]
    assert record.levelno == logging.WARNING
    assert (record.flow, record.node, record.superstep, record.attempt) == (  # type: ignore[attr-defined]
        "重试流程", "不稳", 1, 1)


def test_failures_are_errors_naming_flow_node_and_superstep(
        caplog: pytest.LogCaptureFixture) -> None:
    @node
    def 坏(n: int) -> 数:
        raise ValueError("坏输入")

    @flow(output=数)
    def 失败流程(n: int) -> None:
        START >> 坏

    with caplog.at_level(logging.INFO, logger="liteflow"), pytest.raises(NodeError):
        失败流程.with_options(language="en").run(n=1)
    records = [r for r in caplog.records if r.name == "liteflow"]
    errors = [r for r in records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    node_failed, run_failed = errors
    assert node_failed.getMessage().startswith(
        "❌ Workflow 失败流程 superstep 1: node 坏 failed after 1 attempt(s): ValueError: 坏输入")
    assert node_failed.node == "坏" and node_failed.superstep == 1  # type: ignore[attr-defined]
    assert run_failed.getMessage().startswith("❌ Workflow 失败流程 failed after")
    assert run_failed.flow == "失败流程"  # type: ignore[attr-defined]
    assert records[0].getMessage() == "🚀 Workflow 失败流程 started"
    assert records[0].run_id  # type: ignore[attr-defined]


def test_pauses_and_resumes_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    @node
    def 问(n: int, ctx: Context) -> 数:
        return {"n": ctx.interrupt("几？")}

    @flow(output=数)
    def 问答(n: int) -> None:
        START >> 问

    app = 问答.with_options(thread_id="日志", checkpointer="memory://", language="zh")
    with caplog.at_level(logging.INFO, logger="liteflow"):
        app.run(n=1)
        app.resume(3)
    lines = [r.getMessage() for r in caplog.records if r.name == "liteflow"]
    assert "⏸️ 工作流 问答 在超步 1 暂停，等待回答：问#0@1" in lines
    assert "▶️ 工作流 问答 从超步 0 继续（线程 日志）" in lines
