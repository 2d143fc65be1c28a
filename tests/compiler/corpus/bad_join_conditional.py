"""LF204 (warning): 通过 sits behind .when, so the join into 发布 may never fire."""
from typing import TypedDict

from liteflow import flow, node


class 稿(TypedDict):
    text: str


class 审(TypedDict):
    ok: bool


class 图(TypedDict):
    image: str


class 准(TypedDict):
    approved: str


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
def 通过(text: str) -> 准:
    return {"approved": text}


@node
def 发布(approved: str, image: str) -> 发:
    return {"url": approved + image}


@flow(output=发)
def 发布流程(topic: str) -> None:
    写作 >> [审核, 配图]
    审核 >> 通过.when(lambda out: out["ok"])
    [通过, 配图] >> 发布  # expect: LF204
