"""LF101: an each(...) worker may run zero times (an empty list runs nothing and writes
nothing), so a node beside it cannot rely on its outputs, not even on its APPEND keys;
what follows the worker itself runs only after it ran, and may."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 大纲(TypedDict):
    章节: list[str]


class 章节稿(TypedDict):
    段落: Annotated[list[str], UpdateStrategy.APPEND]
    最后标题: str


class 计数(TypedDict):
    章数: int


class 成稿(TypedDict):
    全文: str


@node
def 列大纲(topic: str) -> 大纲:
    return {"章节": []}


@node
def 写章节(标题: str) -> 章节稿:
    return {"段落": [标题], "最后标题": 标题}


@node
def 数章节(章节: list[str]) -> 计数:
    return {"章数": len(章节)}


@node
def 收尾(最后标题: str, 段落: list[str]) -> 成稿:
    return {"全文": 最后标题 + "".join(段落)}


@node
def 报数(章数: int, 段落: list[str]) -> 成稿:  # expect: LF101
    return {"全文": f"{章数}:{len(段落)}"}


@flow(output=成稿)
def 长文流程(topic: str) -> None:
    列大纲 >> [each("章节", 写章节, item="标题"), 数章节]  # expect: LF301
    写章节 >> 收尾
    数章节 >> 报数
