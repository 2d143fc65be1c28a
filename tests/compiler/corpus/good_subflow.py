"""A flow used as a node of another flow."""
from typing import TypedDict

from liteflow import START, flow, node


class 草稿(TypedDict):
    text: str


class 评审(TypedDict):
    score: int


class 发布结果(TypedDict):
    url: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@node
def 发布(score: int) -> 发布结果:
    return {"url": f"https://example.com/{score}"}


@flow(output=评审)
def 写作流程(topic: str) -> None:
    写作 >> 评审员


@flow(output=发布结果)
def 出版流程(topic: str) -> None:
    START >> 写作流程
    写作流程 >> 发布


RUNS = {"出版流程": ({"topic": "abc"}, {"url": "https://example.com/3"})}
