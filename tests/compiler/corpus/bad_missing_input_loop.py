"""LF101 inside a cycle: 评审员 reads `feedback`, which only 改进 (after it) produces."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str


class 评审(TypedDict):
    score: int


class 改稿(TypedDict):
    text: str
    feedback: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 评审员(text: str, feedback: str) -> 评审:  # expect: LF101
    return {"score": len(text + feedback)}


@node
def 改进(text: str, score: int) -> 改稿:
    return {"text": text + "!", "feedback": str(score)}


@flow(output=评审)
def 循环流程(topic: str) -> None:
    写作 >> 评审员
    评审员 >> 改进.when(lambda out: out["score"] < 10)
    改进 >> 评审员
