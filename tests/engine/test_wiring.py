"""Every wiring form of SPEC §1.2, run for real."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, TypedDict

import pytest

from liteflow import (
    END,
    START,
    FlowDefinitionError,
    RouteError,
    UpdateStrategy,
    each,
    flow,
    node,
    route,
)


class 计数(TypedDict):
    n: int


class 日志(TypedDict):
    log: Annotated[list[str], UpdateStrategy.APPEND]


def test_chain_runs_in_order_one_superstep_each() -> None:
    @node
    def 甲(n: int) -> 计数:
        return {"n": n + 1}

    @node
    def 乙(n: int) -> 计数:
        return {"n": n * 10}

    @node
    def 丙(n: int) -> 计数:
        return {"n": n - 3}

    @flow(output=计数)
    def 链(n: int) -> None:
        甲 >> 乙 >> 丙

    result = 链.run(n=1)
    assert result.output == {"n": 17}
    assert result.supersteps == 3
    assert result.status == "completed"


def test_fan_out_runs_branches_in_parallel_sync_and_async() -> None:
    @node
    def 起点(n: int) -> 日志:
        return {"log": ["start"]}

    @node
    def 慢甲(n: int) -> 日志:
        time.sleep(0.3)
        return {"log": ["a"]}

    @node
    def 慢乙(n: int) -> 日志:
        time.sleep(0.3)
        return {"log": ["b"]}

    @node
    async def 慢丙(n: int) -> 日志:
        await asyncio.sleep(0.3)
        return {"log": ["c"]}

    @flow(output=日志)
    def 扇出(n: int) -> None:
        起点 >> [慢甲, 慢乙, 慢丙]

    started = time.perf_counter()
    result = 扇出.run(n=0)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.6, f"branches ran one after another ({elapsed:.2f}s)"
    # Writes are merged in plan order, not completion order.
    assert result.output["log"] == ["start", "a", "b", "c"]
    assert result.supersteps == 2


def test_join_runs_once_after_all_parents() -> None:
    calls: list[str] = []

    @node
    def 源(n: int) -> 日志:
        return {"log": ["源"]}

    @node
    def 快(n: int) -> 日志:
        return {"log": ["快"]}

    @node
    def 中(n: int) -> 计数:
        return {"n": n + 1}

    @node
    def 慢(n: int) -> 日志:
        return {"log": ["慢"]}

    @node
    def 汇总(log: list[str]) -> 日志:
        calls.append("汇总")
        return {"log": ["汇总"]}

    @flow(output=日志)
    def 汇合(n: int) -> None:
        源 >> [快, 中]
        中 >> 慢
        [快, 慢] >> 汇总

    result = 汇合.run(n=0)
    assert calls == ["汇总"]
    # 汇总 waits for 慢, which finishes a superstep after 快.
    assert result.output["log"] == ["源", "快", "慢", "汇总"]
    assert result.supersteps == 4


def test_two_plain_edges_in_one_superstep_trigger_once() -> None:
    calls: list[int] = []

    @node
    def 左(n: int) -> 计数:
        return {"n": n + 1}

    @node
    def 右(n: int) -> 日志:
        return {"log": ["右"]}

    @node
    def 末(n: int) -> 日志:
        calls.append(n)
        return {"log": ["末"]}

    @node
    def 头(n: int) -> 日志:
        return {"log": []}

    @flow(output=日志)
    def 双边(n: int) -> None:
        头 >> [左, 右]
        左 >> 末
        右 >> 末

    result = 双边.run(n=0)
    assert calls == [1]
    assert result.output["log"] == ["右", "末"]


def test_when_with_one_and_two_arguments() -> None:
    @node
    def 加一(n: int) -> 计数:
        return {"n": n + 1}

    @node
    def 检查(n: int) -> 日志:
        return {"log": [f"见到{n}"]}

    @flow(output=计数)
    def 一参(n: int) -> None:
        START >> 加一
        加一 >> 加一.when(lambda out: out["n"] < 5)

    @flow(output=计数)
    def 二参(n: int) -> None:
        START >> 加一
        加一 >> 检查
        检查 >> 加一.when(lambda out, state: state["n"] < 3 and len(out["log"]) == 1)

    assert 一参.run(n=0).output == {"n": 5}
    result = 二参.run(n=0)
    assert result.output == {"n": 3}
    assert result.final_state["log"] == ["见到1", "见到2", "见到3"]


def test_route_with_keys_lists_and_end() -> None:
    seen: list[str] = []

    class 分类(TypedDict):
        kind: str

    @node
    def 分拣(text: str) -> 分类:
        return {"kind": "长" if len(text) > 3 else "短"}

    @node
    def 长文(text: str) -> 日志:
        seen.append("长文")
        return {"log": ["长"]}

    @node
    def 短文(text: str) -> 日志:
        seen.append("短文")
        return {"log": ["短"]}

    @node
    def 归档(text: str) -> 日志:
        seen.append("归档")
        return {"log": ["档"]}

    def 选择(out: 分类) -> str | list[str]:
        if out["kind"] == "长":
            return ["长", "档"]
        return "短" if out["kind"] == "短" else "结束"

    @flow
    def 路由(text: str) -> None:
        分拣 >> route(选择, {"长": 长文, "短": 短文, "档": 归档, "结束": END})

    assert 路由.run(text="很长很长的文本").final_state["log"] == ["长", "档"]
    assert seen == ["长文", "归档"]
    seen.clear()
    assert 路由.run(text="短").final_state["log"] == ["短"]

    @flow
    def 坏路由(text: str) -> None:
        分拣 >> route(lambda out: out["kind"] + "文", {"长": 长文, "短": 短文})

    with pytest.raises(RouteError) as info:
        坏路由.run(text="很长很长的文本")
    assert "长文" in str(info.value) and "坏路由" in str(info.value)

    @flow
    def 到终点(text: str) -> None:
        分拣 >> route(lambda out: "结束", {"长": 长文, "结束": END})

    assert 到终点.run(text="任意").supersteps == 1


def test_each_maps_in_parallel_then_collects_once() -> None:
    class 文档们(TypedDict):
        docs: list[str]

    class 摘要(TypedDict):
        summaries: Annotated[list[str], UpdateStrategy.APPEND]

    class 报告(TypedDict):
        report: str

    collected: list[int] = []

    @node
    def 准备(topic: str) -> 文档们:
        return {"docs": [f"{topic}-{i}" for i in range(8)]}

    @node
    async def 总结(doc: str, prefix: str) -> 摘要:
        await asyncio.sleep(0.2)
        return {"summaries": [prefix + doc]}

    @node
    def 汇编(summaries: list[str]) -> 报告:
        collected.append(len(summaries))
        return {"report": "；".join(summaries)}

    @flow(output=报告)
    def 映射(topic: str, prefix: str = "摘要:") -> None:
        准备 >> each("docs", 总结, item="doc") >> 汇编

    started = time.perf_counter()
    result = 映射.run(topic="AI")
    assert time.perf_counter() - started < 1.0
    assert collected == [8]
    assert result.output["report"].split("；") == [f"摘要:AI-{i}" for i in range(8)]
    assert result.supersteps == 3


def test_each_over_empty_list_runs_nothing_after_it() -> None:
    class 项目(TypedDict):
        items: list[int]

    class 和(TypedDict):
        total: Annotated[int, UpdateStrategy.ADD]

    @node
    def 空(n: int) -> 项目:
        return {"items": []}

    @node
    def 平方(x: int) -> 和:
        return {"total": x * x}

    @node
    def 结束(n: int) -> 计数:
        return {"n": -1}

    @flow(output=计数)
    def 空映射(n: int) -> None:
        空 >> each("items", 平方, item="x") >> 结束

    # Like a Send of an empty list: no call, no write, no edge, no superstep of its own.
    result = 空映射.run(n=1)
    assert result.output == {"n": 1}
    assert result.supersteps == 1
    assert "total" not in result.final_state


def test_start_marks_entries_explicitly() -> None:
    @node
    def 甲(n: int) -> 计数:
        return {"n": n + 1}

    @node
    def 乙(n: int) -> 计数:
        return {"n": n * 2}

    @flow(output=计数)
    def 循环(n: int) -> None:
        START >> 甲
        甲 >> 乙
        乙 >> 甲.when(lambda out: out["n"] < 20)

    assert 循环.run(n=0).output == {"n": 30}

    @flow(output=计数)
    def 单节点(n: int) -> None:
        START >> 甲

    assert 单节点.run(n=4).output == {"n": 5}


def test_fan_out_list_then_join_in_one_chain() -> None:
    @node
    def 头(n: int) -> 日志:
        return {"log": ["头"]}

    @node
    def 甲(n: int) -> 日志:
        return {"log": ["甲"]}

    @node
    def 乙(n: int) -> 日志:
        return {"log": ["乙"]}

    @node
    def 尾(log: list[str]) -> 计数:
        return {"n": len(log)}

    @flow(output=计数)
    def 链式(n: int) -> None:
        头 >> [甲, 乙] >> 尾

    assert 链式.run(n=0).output == {"n": 3}


def test_subflow_runs_as_a_node() -> None:
    class 文本(TypedDict):
        text: str

    @node
    def 加感叹(text: str) -> 文本:
        return {"text": text + "！"}

    @node
    def 大写(text: str) -> 文本:
        return {"text": text.upper()}

    @flow(output=文本)
    def 子流程(text: str) -> None:
        加感叹 >> 大写

    @node
    def 开始(word: str) -> 文本:
        return {"text": word}

    @flow(output=文本)
    def 父流程(word: str) -> None:
        开始 >> 子流程

    result = 父流程.run(word="hi")
    assert result.output == {"text": "HI！"}
    # Only the subflow's outputs come back: its inner state stays inside.
    assert set(result.final_state) == {"word", "text"}


def test_wiring_outside_a_flow_is_a_clear_error() -> None:
    @node
    def 甲(n: int) -> 计数:
        return {"n": n}

    with pytest.raises(FlowDefinitionError, match="@flow"):
        甲 >> 甲


def test_empty_each_writes_nothing_and_collect_does_not_run() -> None:
    class 项目(TypedDict):
        items: list[int]

    class 平方们(TypedDict):
        squares: Annotated[list[int], UpdateStrategy.APPEND]

    class 总和(TypedDict):
        total: int

    @node
    def 列出(n: int) -> 项目:
        return {"items": list(range(n))}

    @node
    def 平方(x: int) -> 平方们:
        return {"squares": [x * x]}

    @node
    def 求和(squares: list[int]) -> 总和:
        return {"total": sum(squares)}

    class 可能的总和(TypedDict, total=False):
        total: int

    @flow(output=可能的总和)
    def 平方和(n: int) -> None:
        列出 >> each("items", 平方, item="x") >> 求和

    empty = 平方和.run(n=0)
    assert empty.output == {}
    assert "squares" not in empty.final_state
    assert empty.supersteps == 1
    assert 平方和.run(n=4).output == {"total": 14}


def test_fanning_out_to_an_empty_list_still_declares_the_source() -> None:
    @node
    def 独自(n: int) -> 计数:
        return {"n": n + 1}

    @flow(output=计数)
    def 空扇出(n: int) -> None:
        独自 >> []

    assert 空扇出.run(n=1).output == {"n": 2}
