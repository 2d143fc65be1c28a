"""One module, several broken flows: all of them are reported in one pass."""
from typing import TypedDict

from liteflow import START, flow, node


class 草稿(TypedDict):
    text: str


class 评审(TypedDict):
    score: int


class 报告(TypedDict):
    结论: str


@node
def 写作(topic: str) -> 草稿:  # expect: LF302
    return {"text": topic}


@node
def 评审员(text: str) -> 评审:  # expect: LF302
    return {"score": len(text)}


@node
def 改进(text: str, score: int) -> 草稿:
    return {"text": text + "!"}


@node
def 摘要(正文: str) -> 评审:  # expect: LF101
    return {"score": len(正文)}


@flow(output=评审)
def 第一(topic: str) -> None:
    写作 >> 摘要


@flow(output=报告)
def 第二(topic: str) -> None:  # expect: LF103
    写作 >> 评审员


@flow(output=评审)
def 第三(topic: str) -> None:
    START >> 写作
    写作 >> 评审员
    评审员 >> 改进
    改进 >> 评审员  # expect: LF203


@flow(output=评审)
def 第四(topic: str) -> None:
    写作 >> 评审员
