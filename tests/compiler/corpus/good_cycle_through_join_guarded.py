"""A loop through a join that stops: 修改 sends the draft back to the reviewers only while
a route says so, so the join's parents sit behind a condition on the way round."""
from typing import TypedDict

from liteflow import flow, node, route


class 稿(TypedDict):
    draft: str


class 甲评(TypedDict):
    note_a: str


class 乙评(TypedDict):
    note_b: str


class 改(TypedDict):
    draft: str
    rounds: int


class 分(TypedDict):
    dispatched: int


class 发(TypedDict):
    published: str


@node
def 写作(topic: str) -> 稿:
    return {"draft": topic}


@node
def 评审甲(draft: str) -> 甲评:
    return {"note_a": "ok"}


@node
def 评审乙(draft: str) -> 乙评:
    return {"note_b": "ok"}


@node
def 修改(draft: str, note_a: str, note_b: str, rounds: int = 0) -> 改:
    return {"draft": draft + "!", "rounds": rounds + 1}


@node
def 分发(rounds: int) -> 分:
    return {"dispatched": rounds}


@node
def 发布(draft: str, dispatched: int = 0) -> 发:
    return {"published": draft}


@flow(output=发)
def 评审循环(topic: str) -> None:
    写作 >> [评审甲, 评审乙]
    [评审甲, 评审乙] >> 修改
    修改 >> route(lambda out: "again" if out["rounds"] < 3 else "done",
                {"again": 分发, "done": 发布})
    分发 >> [评审甲, 评审乙]


RUNS = {"评审循环": ({"topic": "稿"}, {"published": "稿!!!"})}
