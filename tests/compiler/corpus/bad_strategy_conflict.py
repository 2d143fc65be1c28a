"""LF104: 日志 is APPEND for one producer and MERGE for the other."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, flow, node


class 甲(TypedDict):
    日志: Annotated[list[str], UpdateStrategy.APPEND]


class 乙(TypedDict):
    日志: Annotated[list[str], UpdateStrategy.MERGE]


class 结果(TypedDict):
    日志: list[str]


@node
def 记录甲(topic: str) -> 甲:
    return {"日志": [topic]}


@node
def 记录乙(日志: list[str]) -> 乙:  # expect: LF104
    return {"日志": ["乙"]}


@flow(output=结果)
def 日志流程(topic: str) -> None:
    记录甲 >> 记录乙
