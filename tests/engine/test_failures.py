"""Failure handling (SPEC §1.5): retries, timeouts, fallbacks, type checks, limits."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any, TypedDict

import pytest

from liteflow import (
    START,
    FlowCompileError,
    LiteflowError,
    NodeError,
    NodeRetrying,
    NodeTimeoutError,
    NodeTypeError,
    SuperstepLimitError,
    flow,
    node,
)


class 结果(TypedDict):
    answer: str


class 数字(TypedDict):
    n: int


def test_retries_with_exponential_backoff_then_success() -> None:
    attempts: list[float] = []

    @node(retry_count=3, retry_delay=0.05, backoff=2.0)
    def 不稳定(q: str) -> 结果:
        attempts.append(time.perf_counter())
        if len(attempts) < 4:
            raise ConnectionError("网络抖动")
        return {"answer": q + "!"}

    retries: list[NodeRetrying] = []

    @flow(output=结果)
    def 重试(q: str) -> None:
        START >> 不稳定

    result = 重试.with_options(
        on_event=lambda e: retries.append(e) if isinstance(e, NodeRetrying) else None
    ).run(q="好")
    assert result.output == {"answer": "好!"}
    assert len(attempts) == 4
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    for gap, expected in zip(gaps, [0.05, 0.1, 0.2], strict=True):
        # uvloop's timers count whole milliseconds from the start of a loop iteration,
        # so a wait may end up to a millisecond early.
        assert expected - 0.002 <= gap < expected + 0.08, gaps
    assert [r.attempt for r in retries] == [1, 2, 3]
    assert [round(r.wait, 3) for r in retries] == [0.05, 0.1, 0.2]


def test_backoff_is_capped_by_max_delay() -> None:
    attempts: list[float] = []

    @node(retry_count=2, retry_delay=0.1, backoff=10.0, max_delay=0.12)
    def 总失败(q: str) -> 结果:
        attempts.append(time.perf_counter())
        raise TimeoutError("慢")

    @flow(output=结果)
    def 封顶(q: str) -> None:
        START >> 总失败

    with pytest.raises(NodeError) as info:
        封顶.run(q="x")
    assert info.value.attempts == 3
    assert attempts[2] - attempts[1] < 0.2
    assert isinstance(info.value.__cause__, TimeoutError)


def test_retry_on_filters_exceptions() -> None:
    calls: list[int] = []

    @node(retry_count=5, retry_delay=0.01, retry_on=(ConnectionError,))
    def 值错误(q: str) -> 结果:
        calls.append(1)
        raise ValueError("不该重试")

    @flow(output=结果)
    def 过滤(q: str) -> None:
        START >> 值错误

    with pytest.raises(NodeError) as info:
        过滤.run(q="x")
    assert calls == [1]
    assert info.value.node == "值错误" and info.value.superstep == 1
    assert isinstance(info.value.__cause__, ValueError)
    assert "值错误" in str(info.value) and "ValueError" in str(info.value)


def test_timeout_bounds_each_attempt_and_is_retried() -> None:
    calls: list[int] = []

    @node(timeout=0.1, retry_count=1, retry_delay=0.01)
    async def 慢异步(q: str) -> 结果:
        calls.append(1)
        await asyncio.sleep(0.05 if len(calls) > 1 else 5)
        return {"answer": "ok"}

    @flow(output=结果)
    def 超时(q: str) -> None:
        START >> 慢异步

    started = time.perf_counter()
    assert 超时.run(q="x").output == {"answer": "ok"}
    assert time.perf_counter() - started < 1.0
    assert len(calls) == 2


def test_timeout_on_a_sync_node() -> None:
    @node(timeout=0.1)
    def 慢同步(q: str) -> 结果:
        time.sleep(0.5)
        return {"answer": "太慢"}

    @flow(output=结果)
    def 同步超时(q: str) -> None:
        START >> 慢同步

    started = time.perf_counter()
    with pytest.raises(NodeError) as info:
        同步超时.run(q="x")
    assert time.perf_counter() - started < 0.45
    assert isinstance(info.value.__cause__, NodeTimeoutError)


def test_fallback_supplies_outputs_when_all_attempts_fail() -> None:
    def 兜底(q: str, error: Exception) -> 结果:
        return {"answer": f"默认回答（{type(error).__name__}）"}

    @node(retry_count=1, retry_delay=0.01, fallback=兜底)
    async def 总是失败(q: str) -> 结果:
        raise RuntimeError("模型不可用")

    @node(fallback=兜底)
    def 同步失败(q: str) -> 结果:
        raise KeyError("没有")

    @flow(output=结果)
    def 异步兜底(q: str) -> None:
        START >> 总是失败

    @flow(output=结果)
    def 同步兜底(q: str) -> None:
        START >> 同步失败

    assert 异步兜底.run(q="x").output == {"answer": "默认回答（RuntimeError）"}
    assert 同步兜底.run(q="x").output == {"answer": "默认回答（KeyError）"}


def test_fallback_outputs_are_checked_too() -> None:
    def 坏兜底(q: str, error: Exception) -> Any:
        return {"answer": 42}

    @node(fallback=坏兜底)
    def 失败(q: str) -> 结果:
        raise RuntimeError

    @flow(output=结果)
    def 检查兜底(q: str) -> None:
        START >> 失败

    with pytest.raises(NodeTypeError, match="answer"):
        检查兜底.run(q="x")


def test_output_type_error_is_not_retried_and_names_node_key_and_types() -> None:
    calls: list[int] = []

    @node(retry_count=3, retry_delay=0.01)
    def 类型错(q: str) -> 结果:
        calls.append(1)
        return {"answer": 42}  # type: ignore[typeddict-item]

    @flow(output=结果)
    def 输出类型(q: str) -> None:
        START >> 类型错

    with pytest.raises(NodeTypeError) as info:
        输出类型.run(q="x")
    assert calls == [1]
    message = str(info.value)
    assert info.value.node == "类型错" and info.value.key == "answer"
    assert "str" in message and "int" in message and "输出类型" in message


def test_input_type_error_names_the_key() -> None:
    class 坏输出(TypedDict):
        n: Any

    @node
    def 写字符串(q: str) -> 坏输出:
        return {"n": "不是数字"}

    @node
    def 读数字(n: int) -> 数字:
        return {"n": n + 1}

    @flow(output=数字)
    def 输入类型(q: str) -> None:
        写字符串 >> 读数字

    with pytest.raises(NodeTypeError) as info:
        输入类型.run(q="x")
    assert info.value.node == "读数字" and info.value.key == "n"


def test_generic_types_are_checked() -> None:
    class 列表(TypedDict):
        items: list[int]

    @node
    def 混杂(q: str) -> 列表:
        return {"items": ["a"]}  # type: ignore[list-item]

    @flow
    def 泛型(q: str) -> None:
        START >> 混杂

    with pytest.raises(NodeTypeError, match="items"):
        泛型.run(q="x")


def test_check_types_false_turns_checks_off() -> None:
    @node(check_types=False)
    def 宽松(q: str) -> 结果:
        return {"answer": 1}  # type: ignore[typeddict-item]

    @flow(output=结果, check_types=False)
    def 不检查(q: str) -> None:
        START >> 宽松

    assert 不检查.run(q="x").output == {"answer": 1}


def test_undeclared_returned_key_is_an_error_never_dropped() -> None:
    @node
    def 多给(q: str) -> 结果:
        return {"answer": "a", "extra": 1}  # type: ignore[typeddict-unknown-key]

    @flow(output=结果)
    def 多键(q: str) -> None:
        START >> 多给

    with pytest.raises(NodeTypeError) as info:
        多键.run(q="x")
    assert info.value.key == "extra"
    assert "answer" in str(info.value)


def test_missing_required_output_is_an_error() -> None:
    @node
    def 少给(q: str) -> 结果:
        return {}  # type: ignore[typeddict-item]

    @flow(output=结果)
    def 缺键(q: str) -> None:
        START >> 少给

    with pytest.raises(NodeTypeError, match="answer"):
        缺键.run(q="x")


def test_superstep_limit_names_the_active_nodes_and_keeps_partial_state() -> None:
    @node
    def 乒(n: int) -> 数字:
        return {"n": n + 1}

    @node
    def 乓(n: int) -> 数字:
        return {"n": n + 1}

    @flow(output=数字, max_supersteps=10)
    def 死循环(n: int) -> None:
        START >> 乒
        乒 >> 乓
        乓 >> 乒.when(lambda out: out["n"] >= 0)

    with pytest.raises(SuperstepLimitError) as info:
        死循环.run(n=0)
    assert info.value.active == ("乒",)
    assert info.value.state["n"] == 10
    assert "乒" in str(info.value) and "10" in str(info.value)
    with pytest.raises(SuperstepLimitError):
        死循环.with_options(max_supersteps=3).run(n=0)
    assert 死循环.with_options(max_supersteps=3).plan.max_supersteps == 10


def test_invalid_node_signatures_are_lf100_at_decoration() -> None:
    with pytest.raises(FlowCompileError) as info:
        @node
        def 可变参数(*args: int) -> 结果:
            return {"answer": ""}
    assert info.value.diagnostics[0].code == "LF100"

    with pytest.raises(FlowCompileError, match="TypedDict"):
        @node
        def 返回整数(q: str) -> int:
            return 1


def test_every_error_is_a_liteflow_error() -> None:
    for cls in (NodeError, NodeTypeError, NodeTimeoutError,
                SuperstepLimitError, FlowCompileError):
        assert issubclass(cls, LiteflowError)


def test_a_misspelled_returned_key_is_named_with_the_key_it_should_be() -> None:
    from typing import TypedDict

    from liteflow import START, NodeTypeError, flow, node
    from liteflow.core.messages import use_language

    class 稿(TypedDict):
        text: str
        score: int

    @node
    def 写(x: int) -> 稿:
        return {"txet": "草稿", "score": x}  # type: ignore[typeddict-unknown-key]

    @flow(output=稿)
    def 拼错(x: int) -> None:
        START >> 写

    with pytest.raises(NodeTypeError) as err:
        拼错.run(x=1)
    assert "txet" in str(err.value) and "'text'" in str(err.value)
    with use_language("zh"):
        assert "「text」" in err.value.render("zh")
