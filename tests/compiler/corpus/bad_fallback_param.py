"""LF100: a fallback is called with the node's inputs plus `error`; this one cannot take `text`."""
from typing import TypedDict

from liteflow import START, flow, node


class 评审(TypedDict):
    score: int


def 兜底(error: Exception) -> 评审:  # expect: LF100
    return {"score": 0}


@node(fallback=兜底)
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@flow(output=评审)
def 评审流程(text: str) -> None:
    START >> 评审员
