"""LF102: 计数 produces `total` as int, the flow returns it as str."""
from typing import TypedDict

from liteflow import START, flow, node


class 计数结果(TypedDict):
    total: int


class 报告(TypedDict):
    total: str


@node
def 计数(text: str) -> 计数结果:  # expect: LF102
    return {"total": len(text)}


@flow(output=报告)
def 报告流程(text: str) -> None:
    START >> 计数
