"""`current_context()`: the node a piece of code runs in, on every execution path."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from typing import Annotated, Any, TypedDict

from liteflow import START, Context, UpdateStrategy, flow, node
from liteflow.core.context import current_context


class Seen(TypedDict):
    seen: Annotated[list[str], UpdateStrategy.APPEND]


class Seed(TypedDict):
    seed: int


def _where() -> str:
    """What helper code deep inside a node sees (no parameter passed)."""
    ctx = current_context()
    return "-" if ctx is None else f"{ctx.flow}/{ctx.node}@{ctx.superstep}#{ctx.attempt}"


def test_outside_a_run_there_is_no_context() -> None:
    assert current_context() is None


def test_inline_nodes_of_a_chain_see_themselves() -> None:
    @node
    def 甲(seed: int) -> Seen:
        return {"seen": [_where()]}

    @node
    def 乙(seen: list[str]) -> Seen:
        return {"seen": [_where()]}

    @flow(output=Seen)
    def 链(seed: int) -> None:
        甲 >> 乙

    assert 链.run(seed=1).output == {"seen": ["链/甲@1#1", "链/乙@2#1"]}
    assert current_context() is None


def _fan_out(name: str, branches: list[object]) -> Any:
    """A flow `name`: one source node, then `branches` side by side."""

    @node
    def 起(seed: int) -> Seed:
        return {"seed": seed}

    @flow(name=name, output=Seen)
    def fan(seed: int) -> None:
        起 >> branches  # type: ignore[operator]

    return fan


def test_parallel_sync_nodes_on_the_pool_each_see_themselves() -> None:
    def make(i: int) -> object:
        def branch(seed: int) -> Seen:
            time.sleep(0.001)  # let the pool's workers interleave
            return {"seen": [f"{i}:{_where()}"]}

        branch.__name__ = f"分支{i}"
        return node(branch)

    seen = _fan_out("扇出", [make(i) for i in range(40)]).run(seed=1).output["seen"]
    assert seen == [f"{i}:扇出/分支{i}@2#1" for i in range(40)]


def test_async_nodes_running_together_each_see_themselves() -> None:
    def make(i: int) -> object:
        async def branch(seed: int) -> Seen:
            before = _where()
            await asyncio.sleep(0.01 * (3 - i))  # finish in the reverse order
            return {"seen": [f"{before}|{_where()}"]}

        branch.__name__ = f"异步{i}"
        return node(branch)

    assert _fan_out("并发", [make(i) for i in range(3)]).run(seed=1).output["seen"] == [
        f"并发/异步{i}@2#1|并发/异步{i}@2#1" for i in range(3)]


def test_retries_and_fallbacks_see_the_node_and_its_attempt() -> None:
    attempts: list[str] = []

    @node(retry_count=2, retry_delay=0.0)
    async def 重试(seed: int) -> Seen:
        attempts.append(_where())
        if len(attempts) < 3:
            raise ConnectionError("again")
        return {"seen": [_where()]}

    def 兜底(seen: list[str], error: Exception) -> Seen:
        return {"seen": [f"fallback {_where()}"]}

    @node(fallback=兜底)
    def 失败(seen: list[str]) -> Seen:
        raise ValueError("no")

    @flow(output=Seen)
    def 恢复(seed: int) -> None:
        START >> 重试 >> 失败

    result = 恢复.run(seed=1)
    assert attempts == ["恢复/重试@1#1", "恢复/重试@1#2", "恢复/重试@1#3"]
    assert result.output["seen"] == ["恢复/重试@1#3", "fallback 恢复/失败@2#1"]


def test_a_context_parameter_and_current_context_agree() -> None:
    @node
    def 看(seed: int, ctx: Context) -> Seen:
        found = current_context()
        assert found is not None
        return {"seen": [f"{ctx.node}={found.node} {ctx.run_id == found.run_id}"]}

    @flow(output=Seen)
    def 对照(seed: int) -> None:
        START >> 看

    assert 对照.run(seed=1).output["seen"] == ["看=看 True"]


def test_a_thread_started_inside_a_node_does_not_take_over_its_cell() -> None:
    """Code that copies the context into its own thread sees the node while it runs,
    and a node call made there does not disturb the calling thread's node."""
    seen_in_thread: list[str] = []

    @node
    def 里(seed: int) -> Seen:
        return {"seen": [_where()]}

    @flow(output=Seen)
    def 内流(seed: int) -> None:
        START >> 里

    @node
    def 外(seed: int) -> Seen:
        ctx = contextvars.copy_context()

        def other() -> None:
            seen_in_thread.append(_where())
            seen_in_thread.extend(内流.run(seed=2).output["seen"])
            seen_in_thread.append(_where())

        thread = threading.Thread(target=ctx.run, args=(other,))
        thread.start()
        thread.join()
        return {"seen": [_where()]}

    @flow(output=Seen)
    def 外流(seed: int) -> None:
        START >> 外

    assert 外流.run(seed=1).output["seen"] == ["外流/外@1#1"]
    assert seen_in_thread == ["外流/外@1#1", "内流/里@1#1", "外流/外@1#1"]
