"""`Workflow`: the design document's builder, on the one compiler and runner."""

from __future__ import annotations

import asyncio
import time
from typing import Any, TypedDict

import pytest

from liteflow import (
    Context,
    EventLoopError,
    NodeConfig,
    NodeError,
    NodeTypeError,
    RunFinished,
    RunStarted,
    SuperStepEvent,
    Workflow,
    node,
)
from liteflow.plan import Plan


def test_the_design_documents_example_works_as_written() -> None:
    workflow = Workflow("数据分析", {"data": "  原始数据  "})
    workflow.add_node("清洗器", lambda x: {"clean": x["data"].strip()})
    workflow.add_node("分析器", lambda x: {"result": f"分析: {x['clean']}"})
    workflow.chain("清洗器", "分析器")
    result = workflow.run()
    assert result.final_state.to_dict() == {
        "data": "  原始数据  ", "clean": "原始数据", "result": "分析: 原始数据"}
    assert result.supersteps == 2
    assert result.status == "completed"


def test_a_workflow_compiles_to_a_plan_like_any_flow() -> None:
    wf = Workflow("计划", {"x": 1}).add_node("a", lambda s: {"y": s["x"] + 1})
    assert isinstance(wf.plan, Plan)
    assert wf.plan.node_names == ("a",)
    assert wf.plan.open_inputs
    assert wf.diagnostics == ()
    assert "a" in wf.to_mermaid()


def test_output_is_the_final_state_and_inputs_override_the_initial_state() -> None:
    wf = Workflow("覆盖", {"a": 1, "b": 2}).add_node("和", lambda s: {"sum": s["a"] + s["b"]})
    result = wf.run({"a": 10}, b=20)
    assert result.output == {"a": 10, "b": 20, "sum": 30}
    assert wf.run().output["sum"] == 3  # the initial state itself is untouched


def test_entry_defaults_to_the_first_node_and_set_entry_changes_it() -> None:
    wf = Workflow("入口", {})
    wf.add_node("甲", lambda s: {"甲": True}).add_node("乙", lambda s: {"乙": True})
    assert wf.entries == ("甲",)
    # 乙 has no edge into it: with 甲 as the only entry it would be unreachable.
    wf.set_entry("甲", "乙")
    assert wf.run().final_state.to_dict() == {"甲": True, "乙": True}


def test_conditions_take_outputs_or_outputs_and_state() -> None:
    wf = Workflow("计数循环", {"n": 0})
    wf.add_node("加一", lambda s: {"n": s["n"] + 1})
    wf.add_node("完成", lambda s: {"done": s["n"]})
    wf.add_edge("加一", "加一", condition=lambda out, state: state["n"] < 5)
    wf.add_edge("加一", "完成", condition=lambda out: out["n"] >= 5)
    result = wf.run()
    assert result.final_state["done"] == 5
    assert result.supersteps == 6


def test_functions_receive_context_keywords_by_signature() -> None:
    seen: dict[str, Any] = {}

    def 全部(inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
        seen.update(context)
        return {}

    def 部分(inputs: dict[str, Any], node: str, superstep: int) -> dict[str, Any]:
        return {"部分": (node, superstep)}

    wf = Workflow("上下文", {"k": 1}).with_options(context={"db": "连接"})
    wf.add_node("全部", 全部).add_node("部分", 部分).add_node("无参", lambda: {"无参": 1})
    wf.chain("全部", "部分", "无参")
    state = wf.run().final_state
    assert set(seen) == {"context", "flow", "node", "superstep", "attempt", "run_id",
                         "thread_id", "deps"}
    assert isinstance(seen["context"], Context)
    assert (seen["flow"], seen["node"], seen["superstep"], seen["attempt"]) == (
        "上下文", "全部", 1, 1)
    assert seen["deps"] == {"db": "连接"}
    assert state["部分"] == ("部分", 2)
    assert state["无参"] == 1


def test_inputs_are_a_private_dict_copy_of_the_state() -> None:
    def 改输入(inputs: dict[str, Any]) -> dict[str, Any]:
        assert isinstance(inputs, dict)
        inputs["偷偷"] = 1  # mutating the inputs must not leak into the state
        return {"ok": True}

    state = Workflow("副本", {"a": 1}).add_node("改输入", 改输入).run().final_state
    assert "偷偷" not in state


def test_async_and_sync_nodes_run_in_parallel_in_one_superstep() -> None:
    def 同步(inputs: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.25)
        return {"同步": 1}

    async def 异步(inputs: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.25)
        return {"异步": 1}

    wf = Workflow("并行", {})
    wf.add_node("开始", lambda s: None)
    wf.add_node("同步", 同步).add_node("同步2", 同步).add_node("异步", 异步)
    for name in ("同步", "同步2", "异步"):
        wf.add_edge("开始", name)
    started = time.perf_counter()
    result = wf.run()
    elapsed = time.perf_counter() - started
    assert result.supersteps == 2
    assert result.final_state.to_dict() == {"同步": 1, "异步": 1}
    assert elapsed < 0.6, f"three 0.25 s nodes took {elapsed:.2f}s: not parallel"


class 计数(TypedDict):
    n: int


@node
def 加一(n: int) -> 计数:
    return {"n": n + 1}


def test_node_objects_keep_their_typed_behaviour() -> None:
    wf = Workflow("类型化", {"n": 1}).add_node(加一)
    assert wf.run().final_state["n"] == 2
    with pytest.raises(NodeTypeError, match="n"):
        wf.run(n="一")
    renamed = Workflow("改名", {"n": 1}).add_node("第一步", 加一)
    assert renamed.plan.node_names == ("第一步",)


def test_node_config_retries_times_out_and_falls_back() -> None:
    attempts: list[int] = []

    def 不稳定(inputs: dict[str, Any], attempt: int) -> dict[str, Any]:
        attempts.append(attempt)
        if attempt < 3:
            raise ConnectionError("稍后再试")
        return {"ok": attempt}

    async def 太慢(inputs: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(5)
        return {}

    wf = Workflow("容错", {})
    wf.add_node("不稳定", 不稳定, NodeConfig(retry_count=2, retry_delay=0))
    wf.add_node("太慢", 太慢, NodeConfig(timeout=0.05,
                                         fallback=lambda inputs, error: {"慢": "超时"}))
    wf.chain("不稳定", "太慢")
    state = wf.run().final_state
    assert attempts == [1, 2, 3]
    assert state["ok"] == 3 and state["慢"] == "超时"


def test_a_failing_node_raises_node_error_with_the_cause() -> None:
    def 炸(inputs: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("数据坏了")

    with pytest.raises(NodeError, match="数据坏了") as caught:
        Workflow("坏", {}).add_node("炸", 炸).run()
    assert isinstance(caught.value.__cause__, ValueError)


def test_stream_yields_one_superstep_event_per_superstep() -> None:
    wf = Workflow("流式", {"n": 0})
    wf.add_node("加一", lambda s: {"n": s["n"] + 1})
    wf.add_edge("加一", "加一", condition=lambda out: out["n"] < 3)
    events = list(wf.stream())
    assert isinstance(events[0], RunStarted)
    assert isinstance(events[-1], RunFinished)
    steps = [e for e in events if isinstance(e, SuperStepEvent)]
    assert [(e.superstep, e.active_nodes, e.completed_nodes) for e in steps] == [
        (1, ("加一",), ("加一",)), (2, ("加一",), ("加一",)), (3, ("加一",), ("加一",))]
    assert all(e.flow == "流式" and e.run_id == events[0].run_id for e in steps)
    assert events[-1].result.output == {"n": 3}


async def test_arun_and_astream_inside_an_event_loop() -> None:
    wf = Workflow("异步运行", {"x": 2}).add_node("平方", lambda s: {"y": s["x"] ** 2})
    assert (await wf.arun()).final_state["y"] == 4
    kinds = [type(e).__name__ async for e in wf.astream()]
    assert kinds.count("SuperStepEvent") == 1 and kinds[-1] == "RunFinished"
    with pytest.raises(EventLoopError, match="arun"):
        wf.run()


def test_with_options_subscribes_and_leaves_the_original_alone() -> None:
    seen: list[int] = []
    wf = Workflow("选项", {}).add_node("a", lambda s: {"a": 1})

    def listen(event: object) -> None:
        if isinstance(event, SuperStepEvent):
            seen.append(event.superstep)

    wf.with_options(on_event=listen).run()
    wf.run()
    assert seen == [1]


def test_changing_a_workflow_after_a_run_recompiles_it() -> None:
    wf = Workflow("增量", {}).add_node("a", lambda s: {"a": 1})
    first = wf.plan
    wf.add_node("b", lambda s: {"b": 2}).chain("a", "b")
    assert wf.plan is not first
    assert wf.run().final_state.to_dict() == {"a": 1, "b": 2}


@node
def 再加一(n: int) -> 计数:
    return {"n": n + 1}


def test_edges_may_name_nodes_by_object() -> None:
    wf = Workflow("对象", {"n": 0}).add_node(加一).add_node(再加一).chain(加一, 再加一)
    assert wf.run().output == {"n": 2}
    assert wf.edges[0].src == "加一" and wf.edges[0].dst == "再加一"
