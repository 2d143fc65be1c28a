"""LF301 (warning): every instance of 写章节 overwrites `段落` in the same superstep."""
from typing import TypedDict

from liteflow import each, flow, node


class 大纲(TypedDict):
    章节: list[str]


class 章节稿(TypedDict):
    段落: str


@node
def 列大纲(topic: str) -> 大纲:
    return {"章节": [topic]}


@node
def 写章节(标题: str) -> 章节稿:
    return {"段落": 标题}


@flow(output=章节稿)
def 长文流程(topic: str) -> None:
    列大纲 >> each("章节", 写章节, item="标题")  # expect: LF301
