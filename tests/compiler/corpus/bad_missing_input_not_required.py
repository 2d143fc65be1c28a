"""LF101: the only producer of `备注` declares it NotRequired."""
from typing import NotRequired, TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str
    备注: NotRequired[str]


class 结果(TypedDict):
    out: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 排版(text: str, 备注: str) -> 结果:  # expect: LF101
    return {"out": text + 备注}


@flow(output=结果)
def 排版流程(topic: str) -> None:
    写作 >> 排版
