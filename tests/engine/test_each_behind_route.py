"""A map behind a condition: `each(...)` as a `route` target or in a fan-out list.

An `each` over an empty list runs nothing: no call, no write, no edge and no superstep of
its own (like a Send of an empty list), so what is wired after it does not run either.
"""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import pytest

from liteflow import (
    END,
    START,
    Context,
    FlowDefinitionError,
    UpdateStrategy,
    each,
    flow,
    node,
    route,
)
from liteflow.compiler.build import build_graph
from liteflow.compiler.dataflow import guaranteed_keys
from liteflow.compiler.diagnostics import collect_mode
from liteflow.core.events import SuperStepEvent
from liteflow.ui._graph import graph_from_plan


class 待办(TypedDict):
    items: list[int]


class 结果(TypedDict):
    squares: Annotated[list[int], UpdateStrategy.APPEND]
    count: Annotated[int, UpdateStrategy.ADD]


class 总计(TypedDict):
    total: int


calls: list[str] = []


@node
def 列出(n: int) -> 待办:
    calls.append("列出")
    return {"items": list(range(1, n + 1))}


@node
def 平方(x: int) -> 结果:
    calls.append(f"平方{x}")
    return {"squares": [x * x], "count": 1}


@node
def 汇总(squares: list[int], count: int) -> 总计:
    calls.append("汇总")
    return {"total": sum(squares) * 100 + count}


@node
def 无事(n: int = 0) -> 总计:
    calls.append("无事")
    return {"total": -1}


class 可能总计(TypedDict, total=False):
    total: int


@flow(output=可能总计)
def 路由映射(n: int) -> None:
    映射 = each("items", 平方, item="x")
    列出 >> route(lambda out: "many" if out["items"] else "none",
                {"many": 映射, "none": END})
    映射 >> 汇总


def test_a_route_to_each_maps_then_collects_once() -> None:
    calls.clear()
    result = 路由映射.run(n=3)
    assert result.output == {"total": 1403}
    assert calls[0] == "列出" and sorted(calls[1:4]) == ["平方1", "平方2", "平方3"]
    assert calls[4:] == ["汇总"] and result.supersteps == 3
    calls.clear()
    result = 路由映射.run(n=0)
    assert result.output == {} and calls == ["列出"] and result.supersteps == 1


def test_an_empty_each_chosen_by_a_route_runs_nothing_and_counts_no_superstep() -> None:
    events: list[SuperStepEvent] = []

    @flow(output=可能总计)
    def 总去映射(n: int) -> None:
        映射 = each("items", 平方, item="x")
        列出 >> route(lambda out: "many", {"many": 映射, "none": END})
        映射 >> 汇总

    calls.clear()
    result = 总去映射.with_options(on_event=lambda e: events.append(e)
                                    if isinstance(e, SuperStepEvent) else None).run(n=0)
    assert result.status == "completed" and result.supersteps == 1
    assert calls == ["列出"] and "squares" not in result.final_state
    assert [e.completed_nodes for e in events] == [("列出",)]


def test_each_in_a_fan_out_list_runs_beside_its_sibling() -> None:
    class 记录(TypedDict):
        log: Annotated[list[str], UpdateStrategy.APPEND]

    @node
    def 旁路(n: int) -> 记录:
        return {"log": [f"旁路{n}"]}

    @node
    def 记下(x: int) -> 记录:
        return {"log": [f"项{x}"]}

    @node
    def 收尾(log: list[str]) -> 总计:
        return {"total": len(log)}

    @flow(output=可能总计)
    def 扇出(n: int) -> None:
        映射 = each("items", 记下, item="x")
        列出 >> [旁路, 映射]
        映射 >> 收尾

    full = 扇出.run(n=2)
    assert full.output == {"total": 3} and full.supersteps == 3
    assert sorted(full.final_state["log"]) == ["旁路2", "项1", "项2"]
    empty = 扇出.run(n=0)
    # The sibling runs; the empty map and what follows it do not.
    assert empty.output == {} and empty.final_state["log"] == ["旁路0"]
    assert empty.supersteps == 2


def test_a_join_after_an_empty_each_waits_for_it_and_does_not_fire() -> None:
    class 旁(TypedDict):
        side: int

    @node
    def 旁路(n: int) -> 旁:
        return {"side": n}

    @node
    def 合(side: int, squares: list[int]) -> 总计:
        return {"total": side + sum(squares)}

    @flow(output=可能总计)
    def 汇合(n: int) -> None:
        列出 >> [旁路, each("items", 平方, item="x")] >> 合

    assert 汇合.run(n=2).output == {"total": 7}
    assert 汇合.run(n=0).output == {}


def test_an_empty_each_at_start_runs_no_superstep() -> None:
    @flow(output=可能总计)
    def 直接映射(items: list[int]) -> None:
        START >> each("items", 平方, item="x") >> 汇总

    calls.clear()
    assert 直接映射.run(items=[2]).output == {"total": 401}
    empty = 直接映射.run(items=[])
    assert empty.supersteps == 0 and empty.output == {} and calls == ["平方2", "汇总"]
    # A missing list is still the error it always was, not silently skipped.
    with pytest.raises(Exception) as caught:
        直接映射.run(items="abc")  # type: ignore[arg-type]
    assert "items" in str(caught.value)


def test_an_entry_route_to_each() -> None:
    @flow(output=可能总计)
    def 入口映射(items: list[int]) -> None:
        映射 = each("items", 平方, item="x")
        START >> route(lambda inputs: "map" if len(inputs["items"]) > 1 else "skip",
                       {"map": 映射, "skip": 无事})
        映射 >> 汇总

    assert 入口映射.run(items=[1, 3]).output == {"total": 1002}
    assert 入口映射.run(items=[4]).output == {"total": -1}
    mermaid = 入口映射.to_mermaid()
    assert 'lf_start -.->|"map · each items"| n0' in mermaid


def test_a_loop_through_each_ends_when_its_list_is_empty() -> None:
    class 剩余(TypedDict):
        items: list[int]

    @node
    def 减少(items: list[int]) -> 剩余:
        return {"items": items[1:]}

    @node
    def 处理(x: int) -> 结果:
        return {"squares": [x], "count": 1}

    @node
    def 下一轮(items: list[int]) -> 剩余:
        return {"items": items}

    # 处理 >> 下一轮 >> 减少 >> each(...): unconditional edges, yet the map stops the loop.
    @flow(output=结果)
    def 逐个(items: list[int]) -> None:
        START >> 减少 >> each("items", 处理, item="x") >> 下一轮 >> 减少

    assert [d.code for d in 逐个.diagnostics] == []
    result = 逐个.run(items=[0, 1, 2, 3])
    assert result.output == {"squares": [1, 2, 3, 2, 3, 3], "count": 6}


def test_the_checks_understand_each_behind_a_route() -> None:
    # 汇总 only runs after 平方 ran at least once: all of 平方's outputs are guaranteed.
    assert 路由映射.diagnostics == ()
    assert {"squares", "count"} <= guaranteed_keys(build_graph(路由映射.decl))["汇总"]

    class 旁(TypedDict):
        side: int

    @node
    def 旁路(n: int) -> 旁:
        return {"side": n}

    @node
    def 之后(side: int, squares: list[int]) -> 总计:
        return {"total": side + len(squares)}

    # A node after the map's sibling cannot rely on the map: it may have been empty.
    with collect_mode():
        @flow(output=总计)
        def 靠不住(n: int) -> None:
            列出 >> [旁路, each("items", 平方, item="x")]
            旁路 >> 之后

    found = [d for d in 靠不住.diagnostics if d.code == "LF101"]
    assert [(d.node, d.fields["key"]) for d in found] == [("之后", "squares")]
    assert "each(...)" in found[0].message("en") and "each(...)" in found[0].message("zh")


def test_interrupts_inside_an_each_behind_a_route_resume() -> None:
    class 票(TypedDict):
        votes: Annotated[list[str], UpdateStrategy.APPEND]

    class 人们(TypedDict):
        people: list[str]

    @node
    def 名单(n: int) -> 人们:
        return {"people": ["张三", "李四"][:n]}

    @node
    def 投票(who: str, ctx: Context) -> 票:
        return {"votes": [f"{who}:{ctx.interrupt(f'{who}？')}"]}

    class 可能的票(TypedDict, total=False):
        votes: list[str]

    @flow(output=可能的票)
    def 投票流程(n: int) -> None:
        名单 >> route(lambda out: "vote" if out["people"] else "skip",
                     {"vote": each("people", 投票, item="who"), "skip": END})

    app = 投票流程.with_options(thread_id="路由投票", checkpointer="memory://")
    asked = app.run(n=2)
    ids = [i.id for i in asked.interrupts]
    assert asked.status == "interrupted" and len(ids) == 2
    done = app.resume({ids[0]: "同意", ids[1]: "反对"})
    assert done.output == {"votes": ["张三:同意", "李四:反对"]}
    skipped = 投票流程.with_options(thread_id="不投", checkpointer="memory://").run(n=0)
    assert skipped.status == "completed" and skipped.output == {}


def test_graph_exports_label_each_route_targets() -> None:
    plan = 路由映射.plan
    worker = f"n{plan.index['平方']}"
    source = f"n{plan.index['列出']}"
    assert f'{source} -.->|"many · each items"| {worker}' in 路由映射.to_mermaid()
    assert f'{source} -> {worker} [label="many · each items", style=dashed];' in (
        路由映射.to_dot())
    labels = {(e["source"], e["target"]): e["label"] for e in graph_from_plan(plan)["edges"]}
    assert labels[(source, worker)] == "many · each items"
    assert labels[(source, "lf_end")] == "none"


def test_a_route_target_that_is_neither_node_each_nor_end_is_refused() -> None:
    def 不是节点(x: Any) -> None:
        return None

    with pytest.raises(FlowDefinitionError) as caught:
        route(lambda out: "a", {"a": 不是节点})  # type: ignore[dict-item]
    assert "each(...)" in str(caught.value)
