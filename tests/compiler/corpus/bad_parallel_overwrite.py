"""LF301 (warning): 标题甲 and 标题乙 run in one superstep and both overwrite `title`."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str


class 标题(TypedDict):
    title: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 标题甲(text: str) -> 标题:
    return {"title": "甲"}


@node
def 标题乙(text: str) -> 标题:
    return {"title": "乙"}


@flow(output=标题)
def 标题流程(topic: str) -> None:
    写作 >> [标题甲, 标题乙]  # expect: LF301
