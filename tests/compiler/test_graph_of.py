"""`graph_of`: the compiler's networkx graph, handed out as a copy with attributes."""

from __future__ import annotations

from typing import TypedDict

import networkx as nx

from liteflow import END, flow, node, route
from liteflow.compiler import graph_of


class 稿(TypedDict):
    text: str


class 分(TypedDict):
    score: int


@node
def 写作(topic: str) -> 稿:
    return {"text": topic}


@node
def 评审(text: str) -> 分:
    return {"score": len(text)}


@node
def 改进(text: str) -> 稿:
    return {"text": text + "!"}


@flow(output=分)
def 写作流程(topic: str) -> None:
    写作 >> 评审
    评审 >> route(lambda out: "again" if out["score"] < 3 else "done",
                {"again": 改进, "done": END})
    改进 >> 评审
    改进 >> 评审.when(lambda out: len(out["text"]) > 1)


def test_nodes_and_edges_carry_their_attributes() -> None:
    graph = graph_of(写作流程.decl)
    assert isinstance(graph, nx.DiGraph)
    assert list(graph) == ["写作", "评审", "改进"]
    assert graph.graph["entries"] == ["写作"]
    assert graph.nodes["评审"]["inputs"] == ("text",)
    assert graph.nodes["评审"]["outputs"] == ("score",)
    assert graph.nodes["写作"]["kind"] == "function"
    assert graph.edges["写作", "评审"]["kind"] == "plain"
    assert graph.edges["评审", "改进"]["route_keys"] == ["again"]
    # `a >> b` and `a >> b.when(p)` are one edge with two ways.
    back = graph.edges["改进", "评审"]
    assert back["kinds"] == ["plain", "when"]
    assert back["labels"] == ["len(out[\"text\"]) > 1"]
    assert nx.has_path(graph, "写作", "改进")
    assert {frozenset(c) for c in nx.strongly_connected_components(graph)} >= {
        frozenset({"评审", "改进"})}


def test_the_graph_is_a_copy() -> None:
    graph = graph_of(写作流程.decl)
    graph.remove_node("改进")
    graph.nodes["评审"]["inputs"] = ()
    again = graph_of(写作流程.decl)
    assert "改进" in again and again.nodes["评审"]["inputs"] == ("text",)
    assert 写作流程.run(topic="ab").output == {"score": 3}
