"""LF101: a subflow is a node whose inputs are its parameters; nothing provides `score`."""
from typing import TypedDict

from liteflow import START, flow, node


class 草稿(TypedDict):
    text: str


class 发布结果(TypedDict):
    url: str


@node
def 写作(topic: str) -> 草稿:  # expect: LF302
    return {"text": topic}


@node
def 发布(score: int) -> 发布结果:
    return {"url": f"https://example.com/{score}"}


@flow(output=发布结果)
def 出版(score: int) -> None:  # expect: LF101
    START >> 发布


@flow(output=发布结果)
def 写作出版(topic: str) -> None:
    写作 >> 出版
