"""Builder mistakes are compile errors (LF201/LF202/LF100) when first compiled or run."""

from __future__ import annotations

from typing import Any

import pytest

from liteflow import FlowCompileError, FlowDefinitionError, LiteflowError, Workflow
from liteflow.core.messages import use_language
from liteflow.definitions import Edge, Graph, Node
from liteflow.engine import PregelEngine


def _analysis() -> Workflow:
    wf = Workflow("数据分析", {"data": "  原始数据  "})
    wf.add_node("清洗器", lambda x: {"clean": x["data"].strip()})
    wf.add_node("分析器", lambda x: {"result": x["clean"]})
    return wf


def test_an_unknown_node_in_an_edge_is_lf201_with_a_chinese_did_you_mean() -> None:
    wf = _analysis()
    wf.add_edge("清洗器", "分折器")  # a typo: 折 for 析; nothing raises yet
    with pytest.raises(FlowCompileError) as caught:
        wf.run()
    (diag,) = caught.value.diagnostics
    assert (diag.code, diag.severity, diag.node, diag.flow) == ("LF201", "error", "分折器",
                                                                 "数据分析")
    assert diag.file == __file__
    assert diag.message("zh") == ("边 清洗器 → 分折器 引用了不存在的节点「分折器」。"
                                  "你是不是想用「分析器」？")
    assert diag.message("en") == ("edge 清洗器 → 分折器 names unknown node '分折器'. "
                                  "Did you mean '分析器'?")
    with use_language("zh"):
        assert "你是不是想用「分析器」" in FlowCompileError("数据分析", [diag]).render()


def test_the_error_line_is_the_add_edge_line() -> None:
    wf = _analysis()
    wf.add_edge("清洗气", "分析器"); line = _line()  # noqa: E702
    (diag,) = wf.diagnostics
    assert diag.line == line
    assert "清洗器" in diag.message("en")


def _line() -> int:
    import sys

    return sys._getframe(1).f_lineno


def test_an_unknown_entry_is_lf201() -> None:
    wf = _analysis().set_entry("清洗")
    (diag,) = [d for d in wf.diagnostics if d.severity == "error"]
    assert diag.code == "LF201"
    assert "清洗器" in diag.message("en")


def test_a_duplicate_node_name_is_lf201_naming_the_other_place() -> None:
    wf = _analysis().add_node("清洗器", lambda x: {})
    with pytest.raises(FlowCompileError, match="LF201") as caught:
        wf.run()
    (diag,) = caught.value.diagnostics
    assert diag.node == "清洗器"
    assert f"{__file__}:" in diag.message("en")


def test_an_empty_workflow_and_a_graph_without_entry_are_lf202() -> None:
    with pytest.raises(FlowCompileError, match="LF202") as caught:
        Workflow("空", {}).run()
    assert "add_node" in caught.value.diagnostics[0].message("en")
    loop = Graph("环", [Node("a", lambda s: {}), Node("b", lambda s: {})],
                 [Edge("a", "b"), Edge("b", "a", condition=lambda out: False)])
    with pytest.raises(FlowCompileError, match="LF202") as caught:
        PregelEngine(loop).execute()
    assert "set_entry" in caught.value.diagnostics[0].message("en")


def test_every_mistake_is_reported_at_once() -> None:
    wf = _analysis().add_edge("清洗器", "甲").add_edge("乙", "分析器").set_entry("丙")
    codes = [d.code for d in wf.diagnostics]
    assert codes == ["LF201", "LF201", "LF201"]


def test_a_function_that_cannot_be_called_as_a_node_is_lf100() -> None:
    def 两个参数(inputs: dict[str, Any], 额外: int) -> dict[str, Any]:
        return {}

    wf = Workflow("签名", {}).add_node("两个参数", 两个参数)
    with pytest.raises(FlowCompileError, match="LF100") as caught:
        wf.run()
    assert "额外" in str(caught.value)


def test_compiler_checks_apply_to_builders_too() -> None:
    wf = Workflow("死循环", {}).add_node("a", lambda s: {}).add_node("b", lambda s: {})
    wf.chain("a", "b", "a")
    with pytest.raises(FlowCompileError, match="LF203"):
        wf.run()


def test_mistakes_never_surface_as_key_errors() -> None:
    wf = Workflow("稳妥", {}).add_edge("没有", "节点")
    with pytest.raises(LiteflowError) as caught:
        wf.run()
    assert not isinstance(caught.value, KeyError)
    assert {d.code for d in caught.value.diagnostics} == {"LF201", "LF202"}  # type: ignore[attr-defined]


def test_add_node_rejects_what_can_never_run_right_away() -> None:
    with pytest.raises(FlowDefinitionError, match="callable"):
        Workflow("w").add_node("x", "不是函数")  # type: ignore[arg-type]
    with pytest.raises(FlowDefinitionError, match="nothing to run"):
        Workflow("w").add_node("x")
