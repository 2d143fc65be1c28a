"""LF102: the flow input `数量` is a str, 计算 expects int."""
from typing import TypedDict

from liteflow import START, flow, node


class 结果(TypedDict):
    total: int


@node
def 计算(数量: int) -> 结果:  # expect: LF102
    return {"total": 数量 * 2}


@flow(output=结果)
def 计算流程(数量: str) -> None:
    START >> 计算
