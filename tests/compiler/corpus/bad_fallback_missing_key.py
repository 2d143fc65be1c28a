"""LF102: the fallback's TypedDict lacks `score`, a required output of its node."""
from typing import TypedDict

from liteflow import START, flow, node


class 评审(TypedDict):
    score: int
    comment: str


class 兜底评审(TypedDict):
    comment: str


def 兜底(text: str, error: Exception) -> 兜底评审:  # expect: LF102
    return {"comment": f"失败：{error}"}


@node(fallback=兜底)
def 评审员(text: str) -> 评审:
    return {"score": len(text), "comment": "好"}


@flow(output=评审)
def 评审流程(text: str) -> None:
    START >> 评审员
