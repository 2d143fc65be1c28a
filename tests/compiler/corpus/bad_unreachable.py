"""LF202: no edge leads to 改进 (START marks the only entry)."""
from typing import TypedDict

from liteflow import START, flow, node


class 草稿(TypedDict):
    text: str


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@node
def 改进(text: str) -> 草稿:  # expect: LF202
    return {"text": text + "!"}


@flow(output=评审)
def 写作流程(topic: str) -> None:
    START >> 写作
    写作 >> 评审员
    改进 >> 评审员
