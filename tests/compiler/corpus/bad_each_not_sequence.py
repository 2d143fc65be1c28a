"""LF105: each(...) over an int."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 计数(TypedDict):
    数量: int


class 结果(TypedDict):
    结果: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 统计(topic: str) -> 计数:
    return {"数量": len(topic)}


@node
def 处理(x: str) -> 结果:
    return {"结果": [x]}


@flow(output=结果)
def 处理流程(topic: str) -> None:
    统计 >> each("数量", 处理, item="x")  # expect: LF105
