"""LF101: `审核意见` is produced on one conditional branch only, and 发布 can be reached
through the other branch."""
from typing import TypedDict

from liteflow import flow, node


class 稿(TypedDict):
    text: str
    ok: bool


class 意见(TypedDict):
    审核意见: str


class 结果(TypedDict):
    url: str


@node
def 写作(topic: str) -> 稿:
    return {"text": topic, "ok": True}


@node
def 审核(text: str) -> 意见:
    return {"审核意见": "好"}


@node
def 直发(text: str) -> 结果:
    return {"url": "x"}


@node
def 发布(审核意见: str) -> 结果:  # expect: LF101
    return {"url": 审核意见}


@flow(output=结果)
def 发布流程(topic: str) -> None:
    写作 >> 审核.when(lambda out: out["ok"])
    写作 >> 直发.when(lambda out: not out["ok"])
    审核 >> 发布
    直发 >> 发布
