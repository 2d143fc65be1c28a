"""LF101 for the real key only: a `Context` parameter is not a state key."""
from typing import TypedDict

from liteflow import Context, flow, node


class 草稿(TypedDict):
    text: str


class 结果(TypedDict):
    out: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 发送(text: str, 收件人: str, ctx: Context) -> 结果:  # expect: LF101
    return {"out": f"{ctx.node}:{text}:{收件人}"}


@flow(output=结果)
def 发送流程(topic: str) -> None:
    写作 >> 发送
