"""Conditional entries: `START >> route(selector, {...})` and `START >> a.when(pred)`.

The selector and the predicate see the flow's inputs as `outputs` (and the initial state as
`state`, by arity); the checks and the graph exports understand them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, TypedDict

import pytest

from liteflow import (
    END,
    START,
    ConditionError,
    FlowCompileError,
    RouteError,
    Workflow,
    flow,
    node,
    route,
)
from liteflow.compiler.build import build_graph
from liteflow.compiler.dataflow import guaranteed_keys
from liteflow.compiler.diagnostics import collect_mode
from liteflow.ui._graph import graph_from_plan


class 答复(TypedDict):
    reply: str


class 草稿(TypedDict):
    draft: str


calls: list[str] = []


@node
def 闲聊(question: str) -> 答复:
    calls.append("闲聊")
    return {"reply": f"聊：{question}"}


@node
def 查资料(question: str) -> 草稿:
    calls.append("查资料")
    return {"draft": f"资料：{question}"}


@node
def 成文(draft: str, question: str) -> 答复:
    calls.append("成文")
    return {"reply": f"{draft}（{question}）"}


def 分流(inputs: dict[str, Any]) -> str:
    return "research" if inputs["question"].endswith("？") else "chat"


@flow(output=答复)
def 问答(question: str) -> None:
    START >> route(分流, {"research": 查资料, "chat": 闲聊})
    查资料 >> 成文


def test_the_entry_route_sees_the_inputs_and_runs_only_the_chosen_branch() -> None:
    calls.clear()
    result = 问答.run(question="为什么天是蓝的？")
    assert result.output == {"reply": "资料：为什么天是蓝的？（为什么天是蓝的？）"}
    assert calls == ["查资料", "成文"] and result.supersteps == 2
    calls.clear()
    result = 问答.run(question="你好")
    assert result.output == {"reply": "聊：你好"}
    assert calls == ["闲聊"] and result.supersteps == 1


def test_entry_conditions_see_the_state_with_two_parameters_and_defaults() -> None:
    seen: list[dict[str, Any]] = []

    def 要查(inputs: dict[str, Any], state: Any) -> bool:
        seen.append({"inputs": dict(inputs), "state": state.to_dict()})
        return bool(state["deep"])

    @flow(output=答复)
    def 可选查(question: str, deep: bool = False) -> None:
        START >> 查资料.when(要查)
        START >> 闲聊.when(lambda inputs: not inputs["deep"])
        查资料 >> 成文

    calls.clear()
    assert 可选查.run(question="q").output == {"reply": "聊：q"}
    assert seen == [{"inputs": {"question": "q", "deep": False},
                     "state": {"question": "q", "deep": False}}]
    calls.clear()
    assert 可选查.run(question="q", deep=True).output == {"reply": "资料：q（q）"}
    assert calls == ["查资料", "成文"]


def test_an_entry_route_to_end_runs_nothing_and_a_list_runs_both() -> None:
    class 输出(TypedDict, total=False):
        reply: str
        draft: str

    @flow(output=输出)
    def 多路(question: str, mode: str) -> None:
        START >> route(lambda inputs: inputs["mode"].split("+") if inputs["mode"] else "none",
                       {"chat": 闲聊, "research": 查资料, "none": END})

    calls.clear()
    empty = 多路.run(question="q", mode="")
    assert empty.status == "completed" and empty.supersteps == 0 and empty.output == {}
    assert calls == []
    both = 多路.run(question="q", mode="chat+research")
    assert both.supersteps == 1 and sorted(calls) == ["查资料", "闲聊"]
    assert both.output == {"reply": "聊：q", "draft": "资料：q"}


def test_plain_and_conditional_entries_run_together_in_the_first_superstep() -> None:
    class 全部(TypedDict):
        reply: str
        draft: str

    @flow(output=全部)
    def 并行(question: str, research: bool = True) -> None:
        START >> 闲聊
        START >> 查资料.when(lambda inputs: inputs["research"])

    calls.clear()
    result = 并行.run(question="q")
    assert result.supersteps == 1 and sorted(calls) == ["查资料", "闲聊"]


def test_bad_entry_decisions_are_clear_errors_naming_start() -> None:
    @flow(output=答复)
    def 坏键(question: str) -> None:
        START >> route(lambda inputs: inputs["question"], {"chat": 闲聊})

    with pytest.raises(RouteError) as caught:
        坏键.run(question="chta")
    text = str(caught.value)
    assert "START" in text and "chta" in text and "chat" in text

    @flow(output=答复)
    def 坏条件(question: str) -> None:
        START >> 闲聊.when(lambda inputs: inputs["question"] / 2)

    with pytest.raises(ConditionError) as failed:
        坏条件.run(question="q")
    assert "START" in str(failed.value) and "TypeError" in str(failed.value)


def test_async_entry_runs_and_subflows_choose_their_own_entry() -> None:
    @node
    async def 慢聊(question: str) -> 答复:
        await asyncio.sleep(0.01)
        return {"reply": "慢：" + question}

    @flow(output=答复)
    def 子流程(question: str) -> None:
        START >> route(lambda inputs: "slow" if "慢" in inputs["question"] else "fast",
                       {"slow": 慢聊, "fast": 闲聊})

    class 问题(TypedDict):
        question: str

    @node
    def 提问(topic: str) -> 问题:
        return {"question": topic}

    @flow(output=答复)
    def 父流程(topic: str) -> None:
        提问 >> 子流程

    assert 父流程.run(topic="慢一点").output == {"reply": "慢：慢一点"}
    assert asyncio.run(父流程.arun(topic="快")).output == {"reply": "聊：快"}


def test_each_new_turn_of_a_thread_chooses_its_entry_again(tmp_path: Path) -> None:
    app = 问答.with_options(thread_id="t", checkpointer=f"sqlite:///{tmp_path / 'c.db'}")
    calls.clear()
    assert app.run(question="天？").output == {"reply": "资料：天？（天？）"}
    assert app.run(question="嗨").output == {"reply": "聊：嗨"}
    assert calls == ["查资料", "成文", "闲聊"]


def test_the_checks_understand_conditional_entries() -> None:
    # 成文 needs `question` on the research branch only: a flow input is always set.
    guaranteed = guaranteed_keys(build_graph(问答.decl))
    assert guaranteed["成文"] == {"question", "draft"}
    assert guaranteed["闲聊"] == {"question"}
    assert 问答.diagnostics == ()

    with collect_mode():
        @flow(output=答复)
        def 缺草稿(question: str) -> None:
            START >> route(分流, {"research": 查资料, "chat": 成文})

    (lf101,) = [d for d in 缺草稿.diagnostics if d.code == "LF101"]
    assert lf101.node == "成文" and lf101.fields["key"] == "draft"
    assert "START → 成文" in lf101.message("en")


def test_a_sibling_entry_behind_a_condition_is_not_sure_to_run() -> None:
    class 并行草稿(TypedDict):
        reply: str

    @node
    def 合并(reply: str, draft: str) -> 并行草稿:
        return {"reply": reply + draft}

    with collect_mode():
        @flow(output=并行草稿)
        def 也许查(question: str, research: bool) -> None:
            START >> 闲聊
            START >> 查资料.when(lambda inputs: inputs["research"])
            闲聊 >> 合并

    assert [(d.code, d.node, d.fields["key"]) for d in 也许查.diagnostics
            if d.code == "LF101"] == [("LF101", "合并", "draft")]

    @flow(output=并行草稿)
    def 一定查(question: str) -> None:
        START >> [闲聊, 查资料]
        闲聊 >> 合并

    assert [d for d in 一定查.diagnostics if d.severity == "error"] == []


def test_entry_selector_keys_and_reads_are_checked() -> None:
    with collect_mode():
        @flow(output=答复)
        def 拼错(question: str) -> None:
            START >> route(lambda inputs: "chta" if inputs["questoin"] else "chat",
                           {"chat": 闲聊, "research": 查资料})
            查资料 >> 成文

    found = {(d.code, d.fields.get("key")) for d in 拼错.diagnostics}
    assert ("LF201", "chta") in found and ("LF101", "questoin") in found
    (key,) = [d for d in 拼错.diagnostics if d.code == "LF201"]
    assert key.message("en").startswith(
        "flow '拼错': the route selector at START can return 'chta'")
    assert "START 处的 route 选择器" in key.message("zh") and "节点" not in key.message("zh")
    (read,) = [d for d in 拼错.diagnostics if d.code == "LF101"]
    assert "question" in read.message("en") and "START" in read.message("en")
    assert read.message("zh") != read.message("en")


def test_reachability_and_endless_cycles_with_conditional_entries() -> None:
    # Only the listed targets are entries: an unlisted node is unreachable.
    with pytest.raises(FlowCompileError) as caught:
        @flow(output=答复)
        def 漏掉(question: str) -> None:
            START >> route(分流, {"chat": 闲聊, "research": END})
            查资料 >> 成文

    assert {d.node for d in caught.value.diagnostics if d.code == "LF202"} == {"查资料", "成文"}

    class 数(TypedDict):
        n: int

    @node
    def 加一(n: int) -> 数:
        return {"n": n + 1}

    # A loop entered conditionally is still guarded by its own condition: no LF203.
    @flow(output=数)
    def 计数(n: int) -> None:
        START >> 加一.when(lambda inputs: inputs["n"] < 5)
        加一 >> 加一.when(lambda out: out["n"] < 5)

    assert 计数.diagnostics == ()
    assert 计数.run(n=0).output == {"n": 5} and 计数.run(n=9).output == {"n": 9}


def test_graph_exports_draw_the_entry_edges_to_the_listed_targets_only() -> None:
    mermaid = 问答.to_mermaid()
    plan = 问答.plan
    research, chat, write = (f"n{plan.index[n]}" for n in ("查资料", "闲聊", "成文"))
    assert f'lf_start -.->|"research"| {research}' in mermaid
    assert f'lf_start -.->|"chat"| {chat}' in mermaid
    assert [line for line in mermaid.splitlines() if "lf_start -" in line] == [
        f'    lf_start -.->|"research"| {research}', f'    lf_start -.->|"chat"| {chat}']
    assert f"{research} --> {write}" in mermaid
    dot = 问答.to_dot()
    assert f'lf_start -> {research} [label="research", style=dashed];' in dot
    assert f'lf_start -> {chat} [label="chat", style=dashed];' in dot
    assert dot.count("lf_start ->") == 2
    edges = [(e["source"], e["target"], e["kind"], e["label"])
             for e in graph_from_plan(plan)["edges"] if e["source"] == "lf_start"]
    assert edges == [("lf_start", research, "route", "research"),
                     ("lf_start", chat, "route", "chat")]
    graph = 问答.graph()
    assert graph.graph["entries"] == ["查资料", "闲聊"]
    assert [(e["target"], e["route_key"]) for e in graph.graph["entry_edges"]] == [
        ("查资料", "research"), ("闲聊", "chat")]


def test_an_entry_when_is_drawn_with_its_condition() -> None:
    @flow(output=答复)
    def 条件入口(question: str) -> None:
        START >> 闲聊.when(lambda inputs: len(inputs["question"]) > 0)

    mermaid = 条件入口.to_mermaid()
    assert 'lf_start -.->|"len(inputs[#quot;question#quot;]) #gt; 0"| n0' in mermaid


def test_the_builder_has_conditional_entries_from_start() -> None:
    wf = Workflow("分拣", {"kind": "a"})
    wf.add_node("甲", lambda s: {"who": "甲"})
    wf.add_node("乙", lambda s: {"who": "乙"})
    wf.add_node("收", lambda s: {"done": s["who"] + "收"})
    wf.add_edge(START, "甲", lambda inputs: inputs["kind"] == "a")
    wf.add_edge(START, "乙", lambda inputs, state: state["kind"] == "b")
    wf.chain("甲", "收").add_edge("乙", "收")
    assert wf.diagnostics == ()
    assert wf.run().output["done"] == "甲收"
    assert wf.run(kind="b").output["done"] == "乙收"
    nothing = wf.run(kind="c")
    assert nothing.supersteps == 0 and "done" not in nothing.output
    assert wf.to_mermaid().count("lf_start -.->") == 2
    # A plain edge from START is an entry too (no first-node default then).
    plain = Workflow("直接", {"x": 1})
    plain.add_node("一", lambda s: {"y": 1}).add_node("二", lambda s: {"z": 2})
    plain.add_edge(START, "二")
    assert plain.entries == ()
    with pytest.raises(FlowCompileError):
        plain.run()  # 一 is unreachable: LF202
    plain.add_edge("二", "一")
    assert plain.run().output == {"x": 1, "z": 2, "y": 1}


def test_a_builder_entry_to_an_unknown_node_is_lf201() -> None:
    wf = Workflow("拼错", {})
    wf.add_node("甲", lambda s: {"a": 1})
    wf.add_edge(START, "乙", lambda inputs: True)
    wf.add_edge(START, "甲")
    assert [d.code for d in wf.diagnostics] == ["LF201"]


def test_joins_and_parallel_writes_know_entries_behind_a_condition() -> None:
    # Two route targets at START both write `reply`: never together, so no LF301.
    @node
    def 默认答复(question: str) -> 答复:
        return {"reply": "？"}

    @flow(output=答复)
    def 二选一(question: str) -> None:
        START >> route(lambda inputs: "a" if inputs["question"] else "b",
                       {"a": 闲聊, "b": 默认答复})
        START >> 查资料

    assert [d.code for d in 二选一.diagnostics if d.code == "LF301"] == []

    class 合(TypedDict):
        merged: str

    @node
    def 合并(reply: str, draft: str) -> 合:
        return {"merged": reply + draft}

    # A join whose parent may not be entered may never fire: LF204.
    with collect_mode():
        @flow(output=合)
        def 可能卡住(question: str, chat: bool) -> None:
            START >> 查资料
            START >> 闲聊.when(lambda inputs: inputs["chat"])
            [闲聊, 查资料] >> 合并

    assert [(d.code, d.fields["parent"]) for d in 可能卡住.diagnostics
            if d.code == "LF204"] == [("LF204", "闲聊")]
