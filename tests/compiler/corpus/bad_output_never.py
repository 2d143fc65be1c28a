"""LF103: the flow returns `结论`, which no node produces."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str


class 报告(TypedDict):
    结论: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 润色(text: str) -> 草稿:
    return {"text": text}


@flow(output=报告)
def 报告流程(topic: str) -> None:  # expect: LF103
    写作 >> 润色
