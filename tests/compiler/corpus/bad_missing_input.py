"""LF101: nothing produces `text` before 摘要 runs."""
from typing import TypedDict

from liteflow import flow, node


class 资料(TypedDict):
    docs: list[str]


class 摘要结果(TypedDict):
    summary: str


@node
def 检索(topic: str) -> 资料:  # expect: LF302
    return {"docs": [topic]}


@node
def 摘要(text: str) -> 摘要结果:  # expect: LF101
    return {"summary": text}


@flow(output=摘要结果)
def 摘要流程(topic: str) -> None:
    检索 >> 摘要
