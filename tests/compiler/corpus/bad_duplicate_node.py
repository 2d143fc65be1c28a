"""LF201: two different nodes are both named 清洗."""
from typing import TypedDict

from liteflow import flow, node


class 文本(TypedDict):
    text: str


@node
def 清洗(text: str) -> 文本:
    return {"text": text.strip()}


@node(name="清洗")
def 再清洗(text: str) -> 文本:  # expect: LF201
    return {"text": text.lower()}


@flow(output=文本)
def 清洗流程(text: str) -> None:
    清洗 >> 再清洗.when(lambda out: bool(out["text"]))
