"""LF201: the selector returns "通过了", the route lists "通过" (a Chinese did-you-mean)."""
from typing import TypedDict

from liteflow import END, flow, node, route


class 评审(TypedDict):
    分数: int


@node
def 评审员(文本: str) -> 评审:
    return {"分数": len(文本)}


@flow(output=评审)
def 评审流程(文本: str) -> None:
    去向 = {"通过": END, "拒绝": END}
    评审员 >> route(lambda out: "通过了" if out["分数"] > 3 else "拒绝", 去向)  # expect: LF201
