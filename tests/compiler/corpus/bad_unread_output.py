"""LF302 (warning): `调试信息` is read by no node and is not a flow output."""
from typing import TypedDict

from liteflow import flow, node


class 草稿带调试(TypedDict):
    text: str
    调试信息: str


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿带调试:  # expect: LF302
    return {"text": topic, "调试信息": "…"}


@node
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@flow(output=评审)
def 写作流程(topic: str) -> None:
    写作 >> 评审员
