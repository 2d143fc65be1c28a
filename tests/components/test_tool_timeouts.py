"""Tool timeouts: `@tool(timeout=)`, `BaseTool.timeout`; an abandoned call blocks nothing."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest

from liteflow import START, flow
from liteflow.components import (
    BaseTool,
    ToolDefinitionError,
    ToolExecutionError,
    ToolTimeoutError,
    create_agent,
    create_tool_registry,
    tool,
)
from liteflow.core.messages import use_language
from liteflow.testing import FakeOpenAIServer, Reply

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at the end of the test, so abandoned tool threads finish."""
    event = threading.Event()
    yield event
    event.set()


def test_a_sync_tool_past_its_timeout_is_abandoned(release: threading.Event) -> None:
    @tool(timeout=0.3)
    def 慢查询(城市: str) -> str:
        release.wait(30)
        return 城市

    registry = create_tool_registry(慢查询)
    started = time.monotonic()
    with use_language("zh"), pytest.raises(ToolTimeoutError) as caught:
        registry.execute_tool("慢查询", 城市="杭州")
    assert time.monotonic() - started < 1.5
    assert str(caught.value) == "工具 慢查询 没有在 0.3 秒内完成（这次调用已被放弃）"
    assert caught.value.tool == "慢查询"
    assert isinstance(caught.value, ToolExecutionError)


async def test_async_calls_time_out_too(release: threading.Event) -> None:
    @tool(timeout=0.3)
    def blocking(x: int) -> int:
        release.wait(30)
        return x

    @tool(timeout=0.3)
    async def sleeping(x: int) -> int:
        await asyncio.sleep(30)
        return x

    registry = create_tool_registry(blocking, sleeping)
    for name in ("blocking", "sleeping"):
        started = time.monotonic()
        with pytest.raises(ToolTimeoutError):
            await registry.aexecute_tool(name, x=1)
        assert time.monotonic() - started < 1.5
    with pytest.raises(ToolTimeoutError):
        registry.execute_tool("sleeping", x=1)  # an async tool called from sync code


def test_a_quick_tool_with_a_timeout_answers_normally() -> None:
    @tool(timeout=5)
    def 加(a: int, b: int) -> int:
        return a + b

    assert create_tool_registry(加).execute_tool("加", a=1, b=2) == 3
    assert asyncio.run(create_tool_registry(加).aexecute_tool("加", a=2, b=2)) == 4


def test_a_tool_raising_timeout_error_itself_is_a_failure_not_a_timeout() -> None:
    @tool(timeout=5)
    async def flaky(x: int) -> int:
        raise TimeoutError("upstream timed out")

    with pytest.raises(ToolExecutionError) as caught:
        asyncio.run(create_tool_registry(flaky).aexecute_tool("flaky", x=1))
    assert not isinstance(caught.value, ToolTimeoutError)
    assert "upstream timed out" in str(caught.value)


def test_base_tool_timeouts_as_class_attribute_and_init_argument(
    release: threading.Event,
) -> None:
    class 慢工具(BaseTool):
        name = "慢工具"
        timeout = 0.2

        def _run(self, x: int) -> int:
            release.wait(30)
            return x

    class Search(BaseTool):
        def __init__(self) -> None:
            super().__init__(name="search", description="搜索网络信息", timeout=0.2)

        async def _arun(self, query: str) -> str:
            await asyncio.sleep(30)
            return query

    registry = create_tool_registry(慢工具(), Search())
    for name, arguments in (("慢工具", {"x": 1}), ("search", {"query": "q"})):
        with pytest.raises(ToolTimeoutError):
            registry.execute_tool(name, **arguments)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "5", True])
def test_a_bad_timeout_is_a_definition_error(bad: object) -> None:
    def echo(x: int) -> int:
        return x

    with pytest.raises(ToolDefinitionError) as caught:
        tool(timeout=bad)(echo)  # type: ignore[arg-type]
    assert caught.value.msg_id == "tool.bad_timeout"


class 答案输出(TypedDict):
    答案: str


def test_run_returns_when_a_tool_hangs_past_its_timeout(release: threading.Event) -> None:
    @tool(timeout=0.5)
    def 卡住的工具(问题: str) -> str:
        release.wait(60)  # never interruptible from outside
        return 问题

    script = [Reply.tool_call("卡住的工具", 问题="x"), Reply("工具超时了，换个办法。")]
    with FakeOpenAIServer(script) as server:
        agent = create_agent(server.chat_model(), [卡住的工具], name="代理", input_key="问题",
                             output_key="答案")

        @flow
        def 问答(问题: str) -> 答案输出:
            START >> agent

        started = time.monotonic()
        result = 问答.run(问题="试试")
        elapsed = time.monotonic() - started
        assert result.output["答案"] == "工具超时了，换个办法。"
        assert elapsed < 5.0, elapsed
        tool_message = server.requests[1].messages[-1]
        assert tool_message["role"] == "tool" and "0.5" in tool_message["content"]


def test_an_abandoned_tool_thread_does_not_hold_the_process_exit() -> None:
    script = textwrap.dedent("""
        import time
        from liteflow.components import ToolTimeoutError, create_tool_registry, tool

        @tool(timeout=0.2)
        def stuck(x: int) -> int:
            time.sleep(60)
            return x

        try:
            create_tool_registry(stuck).execute_tool("stuck", x=1)
        except ToolTimeoutError:
            print("timed out")
    """)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=30, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin"})
    assert done.stdout.strip() == "timed out", done.stderr
    assert time.monotonic() - started < 10


class 结果输出(TypedDict):
    结果: str


@pytest.mark.parametrize("kind", ["sync node", "async node"])
def test_a_node_calling_a_stuck_tool_returns_at_the_tools_timeout(
    release: threading.Event, kind: str
) -> None:
    from liteflow import node

    @tool(timeout=0.3)
    def 卡住(x: int) -> int:
        release.wait(60)
        return x

    registry = create_tool_registry(卡住)

    if kind == "sync node":
        @node
        def 调用(x: int) -> 结果输出:
            try:
                return {"结果": str(registry.execute_tool("卡住", x=x))}
            except ToolTimeoutError as error:
                return {"结果": error.msg_id}
    else:
        @node
        async def 调用(x: int) -> 结果输出:
            try:
                return {"结果": str(await registry.aexecute_tool("卡住", x=x))}
            except ToolTimeoutError as error:
                return {"结果": error.msg_id}

    @flow
    def 流程(x: int) -> 结果输出:
        START >> 调用

    started = time.monotonic()
    assert 流程.run(x=1).output["结果"] == "tool.timeout"
    assert time.monotonic() - started < 3.0
