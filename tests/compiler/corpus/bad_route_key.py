"""LF201: the selector can return "bda", which is not a route key (did you mean "bad"?)."""
from typing import TypedDict

from liteflow import END, START, flow, node, route


class 评审(TypedDict):
    score: int


class 草稿(TypedDict):
    text: str


@node
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@node
def 改进(text: str) -> 草稿:
    return {"text": text + "!"}


def 选择(out: 评审) -> str:
    if out["score"] > 80:
        return "good"
    return "bda"


@flow(output=评审)
def 评审流程(text: str) -> None:
    START >> 评审员
    评审员 >> route(选择, {"good": END, "bad": 改进})  # expect: LF201
    改进 >> 评审员
