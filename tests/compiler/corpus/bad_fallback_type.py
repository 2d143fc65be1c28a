"""LF102: the fallback returns `score` as str, the node declares int."""
from typing import TypedDict

from liteflow import START, flow, node


class 评审(TypedDict):
    score: int


class 文本评审(TypedDict):
    score: str


def 兜底(text: str, error: Exception) -> 文本评审:  # expect: LF102
    return {"score": "0"}


@node(fallback=兜底)
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@flow(output=评审)
def 评审流程(text: str) -> None:
    START >> 评审员
