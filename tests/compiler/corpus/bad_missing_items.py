"""LF101: each(...) maps over `章节`, which nothing produces (the outline writes `大纲`)."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 大纲结果(TypedDict):
    大纲: list[str]


class 章节稿(TypedDict):
    段落: Annotated[list[str], UpdateStrategy.APPEND]


class 成稿(TypedDict):
    全文: str


@node
def 列大纲(topic: str) -> 大纲结果:  # expect: LF302
    return {"大纲": [topic]}


@node
def 写章节(标题: str) -> 章节稿:  # expect: LF101
    return {"段落": [标题]}


@node
def 汇总(段落: list[str]) -> 成稿:
    return {"全文": "".join(段落)}


@flow(output=成稿)
def 长文流程(topic: str) -> None:
    列大纲 >> each("章节", 写章节, item="标题") >> 汇总
