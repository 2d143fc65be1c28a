"""Running flows (SPEC §1.3, §1.6): entry points, options, results, events, context."""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import pytest

from liteflow import (
    START,
    Context,
    CustomEvent,
    Event,
    EventLoopError,
    FlowInputError,
    FlowOutputError,
    NodeFinished,
    NodeStarted,
    RunFinished,
    RunStarted,
    State,
    SuperStepEvent,
    flow,
    node,
)


class 问候(TypedDict):
    greeting: str


class 计数(TypedDict):
    n: int


@node
def 打招呼(name: str, punctuation: str = "！") -> 问候:
    return {"greeting": f"你好，{name}{punctuation}"}


@node
def 计长度(greeting: str) -> 计数:
    return {"n": len(greeting)}


@flow(output=计数)
def 问候流程(name: str, punctuation: str = "！") -> None:
    打招呼 >> 计长度


def test_nodes_stay_directly_callable() -> None:
    assert 打招呼(name="小明") == {"greeting": "你好，小明！"}
    assert 打招呼("小红", "。") == {"greeting": "你好，小红。"}
    assert 打招呼.__name__ == "打招呼"
    assert 打招呼.spec.input_names == ("name", "punctuation")
    assert 打招呼.spec.output_names == ("greeting",)


def test_run_result_fields() -> None:
    result = 问候流程.with_options(thread_id="线程-1").run(name="小明")
    assert result.output == {"n": len("你好，小明！")}
    assert isinstance(result.final_state, State)
    assert result.final_state.to_dict() == {
        "name": "小明", "punctuation": "！", "greeting": "你好，小明！", "n": 6}
    assert result.supersteps == 2
    assert result.status == "completed"
    assert result.interrupt is None
    assert result.duration > 0
    assert len(result.run_id) == 32
    assert result.thread_id == "线程-1"
    with pytest.raises(TypeError):
        result.final_state["n"] = 1  # type: ignore[index]


def test_positional_inputs_bind_in_parameter_order() -> None:
    assert 问候流程.run("小明", "。").final_state["greeting"] == "你好，小明。"


def test_bad_inputs_are_clear_errors() -> None:
    with pytest.raises(FlowInputError) as info:
        问候流程.run(nmae="小明")  # type: ignore[call-arg]
    assert "nmae" in str(info.value) and "name" in str(info.value)
    with pytest.raises(FlowInputError, match="name"):
        问候流程.run()  # type: ignore[call-arg]
    with pytest.raises(FlowInputError, match="str"):
        问候流程.run(name=3)  # type: ignore[arg-type]


def test_missing_flow_output_is_an_error() -> None:
    class 可选(TypedDict, total=False):
        greeting: str

    @node
    def 不写(name: str) -> 可选:
        return {}

    @flow(output=问候)
    def 缺输出(name: str) -> None:
        START >> 不写

    with pytest.raises(FlowOutputError, match="greeting"):
        缺输出.run(name="x")


def test_run_inside_an_event_loop_points_to_arun() -> None:
    async def main() -> None:
        with pytest.raises(EventLoopError, match="arun"):
            问候流程.run(name="x")
        result = await 问候流程.arun(name="小明")
        assert result.output == {"n": 6}

    asyncio.run(main())


async def test_arun_runs_concurrently_with_other_tasks() -> None:
    @node
    async def 等待(name: str) -> 问候:
        await asyncio.sleep(0.2)
        return {"greeting": name}

    @flow(output=问候)
    def 慢流程(name: str) -> None:
        START >> 等待

    results = await asyncio.gather(*(慢流程.arun(name=str(i)) for i in range(5)))
    assert [r.output["greeting"] for r in results] == ["0", "1", "2", "3", "4"]


def test_stream_yields_typed_events_one_superstep_event_per_barrier() -> None:
    events = list(问候流程.stream(name="小明"))
    assert isinstance(events[0], RunStarted)
    assert isinstance(events[-1], RunFinished)
    assert events[-1].result.output == {"n": 6}
    steps = [e for e in events if isinstance(e, SuperStepEvent)]
    assert [(s.superstep, s.completed_nodes) for s in steps] == [(1, ("打招呼",)), (2, ("计长度",))]
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["RunStarted", "NodeStarted", "NodeFinished", "SuperStepEvent",
                     "NodeStarted", "NodeFinished", "SuperStepEvent", "RunFinished"]
    finished = [e for e in events if isinstance(e, NodeFinished)]
    assert finished[0].outputs == {"greeting": "你好，小明！"}


async def test_astream_and_custom_events_from_context() -> None:
    @node
    def 汇报(name: str, ctx: Context) -> 问候:
        ctx.emit("进度", {"完成": 50, "节点": ctx.node, "超步": ctx.superstep})
        return {"greeting": f"{ctx.deps['前缀']}{name}"}

    @flow(output=问候)
    def 有上下文(name: str) -> None:
        START >> 汇报

    configured = 有上下文.with_options(context={"前缀": "尊敬的"}, thread_id="t")
    events: list[Event] = [e async for e in configured.astream(name="小明")]
    custom = [e for e in events if isinstance(e, CustomEvent)]
    assert len(custom) == 1
    assert custom[0].name == "进度"
    assert custom[0].data == {"完成": 50, "节点": "汇报", "超步": 1}
    assert custom[0].node == "汇报"
    final = events[-1]
    assert isinstance(final, RunFinished)
    assert final.result.output == {"greeting": "尊敬的小明"}


def test_context_fields() -> None:
    seen: dict[str, Any] = {}

    @node(retry_count=1, retry_delay=0.01)
    def 看上下文(name: str, context: Context) -> 问候:
        seen.update(run_id=context.run_id, thread_id=context.thread_id, flow=context.flow,
                    node=context.node, superstep=context.superstep, attempt=context.attempt)
        if context.attempt == 1:
            raise ConnectionError
        return {"greeting": name}

    @flow(output=问候)
    def 上下文流程(name: str) -> None:
        START >> 看上下文

    result = 上下文流程.with_options(thread_id="线程").run(name="x")
    assert seen == {"run_id": result.run_id, "thread_id": "线程", "flow": "上下文流程",
                    "node": "看上下文", "superstep": 1, "attempt": 2}


def test_on_event_listener_and_stream_of_a_parallel_flow() -> None:
    @node
    def 分(name: str) -> 问候:
        return {"greeting": name}

    @node
    def 甲(greeting: str) -> 计数:
        return {"n": 1}

    @node
    async def 乙(greeting: str) -> 计数:
        return {"n": 2}

    @flow(output=计数)
    def 并行(name: str) -> None:
        分 >> [甲, 乙]

    got: list[Event] = []
    result = 并行.with_options(on_event=got.append).run(name="x")
    assert result.output == {"n": 2}
    started = sorted(e.node for e in got if isinstance(e, NodeStarted))
    assert started == sorted(["分", "甲", "乙"])
    step2 = [e for e in got if isinstance(e, SuperStepEvent)][1]
    assert step2.completed_nodes == ("甲", "乙")
    assert step2.written_keys == ("n",)


def test_language_option_switches_error_messages() -> None:
    with pytest.raises(FlowInputError) as zh:
        问候流程.with_options(language="zh").run(nmae="x")  # type: ignore[call-arg]
    assert "流程 问候流程 没有输入 nmae" in str(zh.value)
    assert "has no input" in zh.value.render("en")


def test_plan_is_frozen_and_fingerprinted() -> None:
    plan = 问候流程.plan
    assert plan.node_names == ("打招呼", "计长度")
    assert plan.entries == (0,)
    with pytest.raises(AttributeError):
        plan.name = "x"  # type: ignore[misc]

    @flow(output=计数)
    def 问候流程2(name: str, punctuation: str = "！") -> None:
        打招呼 >> 计长度

    assert len(plan.fingerprint) == 16
    assert 问候流程2.plan.fingerprint != plan.fingerprint  # the name is part of it


def test_a_node_reads_attributes_of_its_function_like_a_wrapper() -> None:
    def 标记(name: str) -> 问候:
        """打个招呼。"""
        return {"greeting": name}

    标记.来源 = "手写"  # type: ignore[attr-defined]
    wrapped = node(标记)
    assert wrapped.来源 == "手写"  # type: ignore[attr-defined]
    assert wrapped.__doc__ == "打个招呼。" and wrapped.__wrapped__ is 标记
    with pytest.raises(AttributeError):
        wrapped.没有  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        wrapped.__no_such_dunder__  # type: ignore[attr-defined]  # noqa: B018
