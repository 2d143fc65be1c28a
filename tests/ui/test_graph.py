"""The graph the page draws: every declared node and edge, kinds kept apart (plain,
`when`, `route`, join barriers, `each`), from the plan or from a thread's stored shape."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from liteflow import END, START, UpdateStrategy, each, flow, node, route
from liteflow.engine.durable import shape_of
from liteflow.ui._graph import graph_from_plan, graph_from_shape


class 稿(TypedDict):
    text: str
    ok: bool


class 图(TypedDict):
    image: str


class 列(TypedDict):
    titles: list[str]


class 段(TypedDict):
    parts: Annotated[list[str], UpdateStrategy.APPEND]


class 发(TypedDict):
    url: str


@node
def 写作(topic: str) -> 稿:
    return {"text": topic, "ok": True}


@node
def 审核(text: str) -> 稿:
    return {"text": text, "ok": bool(text)}


@node
def 配图(text: str) -> 图:
    return {"image": text}


@node
def 发布(text: str, image: str) -> 发:
    return {"url": text + image}


@node
def 列出(topic: str) -> 列:
    return {"titles": [topic]}


@node
def 写段(title: str) -> 段:
    return {"parts": [title]}


@node
def 合成(parts: list[str], topic: str) -> 发:
    return {"url": "".join(parts) + topic}


@flow(output=发)
def 全部种类(topic: str) -> None:
    START >> [写作, 列出]
    写作 >> 审核.when(lambda out: out["ok"])
    写作 >> 配图
    审核 >> route(lambda out: "发" if out["ok"] else "停", {"发": 发布, "停": END})
    [配图, 审核] >> 发布
    列出 >> each("titles", 写段, item="title") >> 合成


def _pairs(graph: dict[str, Any]) -> set[tuple[str, str, str]]:
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    return {(names[e["source"]], names[e["target"]], e["kind"]) for e in graph["edges"]}


def test_each_kind_of_edge_is_marked_for_drawing() -> None:
    graph = graph_from_plan(全部种类.plan)
    kinds = {n["name"]: n["kind"] for n in graph["nodes"]}
    assert kinds["START"] == "start" and kinds["END"] == "end" and kinds["写段"] == "each"
    pairs = _pairs(graph)
    assert ("START", "写作", "plain") in pairs and ("写作", "配图", "plain") in pairs
    assert ("写作", "审核", "when") in pairs
    assert ("审核", "发布", "route") in pairs and ("审核", "END", "route") in pairs
    assert ("列出", "写段", "each") in pairs
    assert {("配图", "join", "join"), ("审核", "join", "join"), ("join", "发布", "join")} <= pairs
    assert {e["label"] for e in graph["edges"] if e["kind"] == "route"} == {"发", "停"}
    assert next(e for e in graph["edges"] if e["kind"] == "each")["label"] == "each titles"


def test_the_stored_shape_gives_the_same_nodes_and_wiring() -> None:
    plan = 全部种类.plan
    from_shape = graph_from_shape(shape_of(plan))
    assert [n["name"] for n in from_shape["nodes"] if n["kind"] not in ("join", "start")] \
        == list(plan.node_names)
    # The shape keeps no END and no labels; its entries are the nodes nothing leads to.
    declared = {p for p in _pairs(graph_from_plan(plan)) if "END" not in p}
    assert _pairs(from_shape) == declared
    assert ("START", "写作", "plain") in declared


@flow
def 条件入口(topic: str) -> None:
    START >> 写作.when(lambda inputs: bool(inputs["topic"]))
    START >> 列出.when(lambda inputs: not inputs["topic"])


def test_the_stored_shape_shows_conditional_entries() -> None:
    pairs = _pairs(graph_from_shape(shape_of(条件入口.plan)))
    assert pairs == {("START", "写作", "when"), ("START", "列出", "when")}
    assert pairs == _pairs(graph_from_plan(条件入口.plan))
