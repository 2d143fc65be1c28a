"""Fan-out to siblings writing different keys, then a join."""
from typing import TypedDict

from liteflow import flow, node


class 稿(TypedDict):
    text: str


class 审(TypedDict):
    ok: bool


class 图(TypedDict):
    image: str


class 发(TypedDict):
    url: str


@node
def 写作(topic: str) -> 稿:
    return {"text": topic}


@node
def 审核(text: str) -> 审:
    return {"ok": True}


@node
def 配图(text: str) -> 图:
    return {"image": "p.png"}


@node
def 发布(ok: bool, image: str, text: str) -> 发:
    return {"url": f"{text}/{image}" if ok else ""}


@flow(output=发)
def 发布流程(topic: str) -> None:
    写作 >> [审核, 配图]
    [审核, 配图] >> 发布


RUNS = {"发布流程": ({"topic": "t"}, {"url": "t/p.png"})}
