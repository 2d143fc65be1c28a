"""LF101 and friends, compiled directly: what the checker guarantees, the place it points
at, the text it says in both languages, and how decorating a broken flow fails."""

from typing import NotRequired, TypedDict

import pytest

from liteflow import START, FlowCompileError, each, flow, node
from liteflow.compiler import compile_decl
from liteflow.compiler.build import build_graph
from liteflow.compiler.dataflow import _Problem, guaranteed_keys
from liteflow.compiler.diagnostics import collect_mode


class 文本(TypedDict):
    text: str


class 分数(TypedDict):
    score: int


class 反馈(TypedDict):
    text: str
    feedback: str


class 可选(TypedDict):
    text: str
    备注: NotRequired[str]


class 摘要(TypedDict):
    摘要文字: str


class 列表(TypedDict):
    items: list[str]


@node
def 写作(topic: str) -> 文本:
    return {"text": topic}


@node
def 评审(text: str) -> 分数:
    return {"score": len(text)}


@node
def 改进(text: str, score: int) -> 反馈:
    return {"text": text + "!", "feedback": str(score)}


@node
def 带反馈评审(text: str, feedback: str = "") -> 分数:
    return {"score": len(text + feedback)}


def test_fixpoint_over_a_loop_keeps_only_what_every_path_defines() -> None:
    @flow(output=分数)
    def 循环(topic: str) -> None:
        写作 >> 评审
        评审 >> 改进.when(lambda out: out["score"] < 3)
        改进 >> 评审

    guaranteed = guaranteed_keys(build_graph(循环.decl))
    # 评审 runs after 写作 or after 改进: text is sure either way, score is not.
    assert guaranteed == {"写作": {"topic"}, "评审": {"topic", "text"},
                          "改进": {"topic", "text", "score"}}
    assert [(d.code, d.fields["key"]) for d in 循环.diagnostics] == [("LF302", "feedback")]


def test_broken_flow_raises_flow_compile_error_with_the_diagnostics() -> None:
    with pytest.raises(FlowCompileError) as caught:
        @flow(output=反馈)
        def 坏流程(topic: str) -> None:
            START >> 改进

    codes = [(d.code, d.node, d.fields["key"]) for d in caught.value.diagnostics]
    assert codes == [("LF101", "改进", "text"), ("LF101", "改进", "score")]
    assert "LF101" in str(caught.value)
    assert caught.value.render("zh") != caught.value.render("en")


def test_collect_mode_keeps_the_flow_and_its_diagnostics() -> None:
    with collect_mode():
        @flow(output=反馈)
        def 坏流程(topic: str) -> None:
            START >> 改进

    assert [d.code for d in 坏流程.diagnostics] == ["LF101", "LF101"]
    with pytest.raises(FlowCompileError):
        坏流程.plan  # noqa: B018


def test_message_names_flow_node_key_and_the_path_in_both_languages() -> None:
    with collect_mode():
        @flow(output=分数)
        def 路径(topic: str) -> None:
            写作 >> 改进

    (first,) = [d for d in 路径.diagnostics if d.code == "LF101"]
    en, zh = first.message("en"), first.message("zh")
    for text in (en, zh):
        assert "路径" in text and "改进" in text and "score" in text
        assert "START → 写作 → 改进" in text
    assert "not guaranteed" in en and "没有保证" in zh
    assert first.line == 改进.spec.line + 1  # the `def`, below the decorator


def test_chinese_did_you_mean_for_a_misspelt_key() -> None:
    @node
    def 总结(topic: str) -> 摘要:
        return {"摘要文字": topic}

    @node
    def 发布(摘要文本: str) -> 文本:
        return {"text": 摘要文本}

    with collect_mode():
        @flow(output=文本)
        def 发布流程(topic: str) -> None:
            总结 >> 发布

    (found,) = [d for d in 发布流程.diagnostics if d.code == "LF101"]
    assert "摘要文字" in found.message("zh") and "你是不是想用" in found.message("zh")
    assert "Did you mean '摘要文字'?" in found.message("en")


def test_optional_parameter_and_not_required_output() -> None:
    @node
    def 起草(topic: str) -> 可选:
        return {"text": topic}

    @node
    def 需要备注(text: str, 备注: str) -> 分数:
        return {"score": len(text + 备注)}

    @node
    def 可无备注(text: str, 备注: str = "") -> 分数:
        return {"score": len(text + 备注)}

    with collect_mode():
        @flow(output=分数)
        def 甲(topic: str) -> None:
            起草 >> 需要备注

        @flow(output=分数)
        def 乙(topic: str) -> None:
            起草 >> 可无备注

    (missing,) = [d for d in 甲.diagnostics if d.code == "LF101"]
    assert "NotRequired" in missing.message("en")
    assert 乙.diagnostics == ()


def test_each_needs_its_items_key_but_not_its_item_parameter() -> None:
    @node
    def 列出(topic: str) -> 列表:
        return {"items": [topic]}

    @node
    def 处理(item: str, topic: str) -> 文本:
        return {"text": item + topic}

    @flow(output=文本)
    def 映射(topic: str) -> None:
        列出 >> each("items", 处理, item="item")

    assert [d.code for d in 映射.diagnostics] == ["LF301"]  # instances overwrite `text`
    assert 映射.run(topic="x").output == {"text": "xx"}


def test_warnings_do_not_stop_the_plan() -> None:
    @node
    def 多写(topic: str) -> 反馈:
        return {"text": topic, "feedback": "?"}

    @flow(output=分数)
    def 有警告(topic: str) -> None:
        多写 >> 评审

    assert [d.code for d in 有警告.diagnostics] == ["LF302"]
    assert [d.code for d in 有警告.plan.warnings] == ["LF302"]
    plan, diagnostics = compile_decl(有警告.decl)
    assert plan is not None and [d.code for d in diagnostics] == ["LF302"]


def test_a_join_waits_for_its_deepest_parent() -> None:
    # 合 runs once 深 (two supersteps deeper than 浅) finished, together with 旁: what
    # 合 writes is there when 读 (after 旁) runs. The equations alone cannot see it.
    class 合出(TypedDict):
        merged: str

    class 旁出(TypedDict):
        side: str

    @node
    def 源(topic: str) -> 文本:
        return {"text": topic}

    @node
    def 浅(text: str) -> 分数:
        return {"score": 1}

    @node
    def 深甲(text: str) -> 文本:
        return {"text": text + "甲"}

    @node
    def 深乙(text: str) -> 文本:
        return {"text": text + "乙"}

    @node
    def 合(score: int, text: str) -> 合出:
        return {"merged": f"{text}{score}"}

    @node
    def 旁(text: str) -> 旁出:
        return {"side": text}

    @node
    def 读(side: str, merged: str) -> 摘要:
        return {"摘要文字": side + "|" + merged}

    @flow(output=摘要)
    def 汇合(topic: str) -> None:
        源 >> [浅, 深甲]
        深甲 >> 深乙
        [浅, 深乙] >> 合
        深乙 >> 旁
        旁 >> 读

    assert not 汇合.diagnostics
    assert guaranteed_keys(build_graph(汇合.decl))["读"] == {"topic", "text", "score",
                                                            "merged", "side"}
    assert 汇合.run(topic="t").output == {"摘要文字": "t甲乙|t甲乙1"}


def test_too_many_runs_to_follow_falls_back_to_the_equations() -> None:
    # Fourteen independent conditions in one superstep: 2**14 ways on, past the limit.
    # The equations still answer, soundly: k1 is missing when 支1 did not run.
    branches = []
    for i in range(14):
        def branch(topic: str, i: int = i) -> dict[str, int]:
            return {f"k{i}": i}

        branch.__name__ = branch.__qualname__ = f"支{i}"
        out = TypedDict(f"出{i}", {f"k{i}": int})  # type: ignore[operator]
        branch.__annotations__ = {"topic": str, "i": int, "return": out}
        branches.append(node(branch))

    @node
    def 首(topic: str) -> 文本:
        return {"text": topic}

    @node
    def 收(text: str, k0: int, k1: int) -> 分数:
        return {"score": k0 + k1}

    with collect_mode():
        @flow(output=分数)
        def 宽(topic: str) -> None:
            for b in branches:
                首 >> b.when(lambda out: True)
            [首, branches[0]] >> 收

    problem = _Problem(build_graph(宽.decl))
    problem.settle()
    assert problem.runs is None  # the equations answered
    assert [(d.node, d.fields["key"]) for d in 宽.diagnostics if d.code == "LF101"] == [
        ("收", "k1")]
