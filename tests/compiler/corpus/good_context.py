"""A `Context` parameter is not a state key."""
from typing import TypedDict

from liteflow import START, Context, flow, node


class 结果(TypedDict):
    out: str


@node
def 问候(name: str, ctx: Context) -> 结果:
    return {"out": f"{ctx.node}:{name}"}


@flow(output=结果)
def 问候流程(name: str) -> None:
    START >> 问候


RUNS = {"问候流程": ({"name": "张三"}, {"out": "问候:张三"})}
