"""A map behind a condition: route(...) to each(...) or END, then a collecting node.

`汇总` runs only after the map ran at least once, so it may rely on every output of `写章节`.
"""
from typing import Annotated, TypedDict

from liteflow import END, UpdateStrategy, each, flow, node, route


class 大纲(TypedDict):
    章节: list[str]


class 章节稿(TypedDict):
    段落: Annotated[list[str], UpdateStrategy.APPEND]
    字数: Annotated[int, UpdateStrategy.ADD]


class 成稿(TypedDict, total=False):
    全文: str


@node
def 列大纲(topic: str) -> 大纲:
    return {"章节": [f"{topic}简介", f"{topic}原理"] if topic else []}


@node
def 写章节(标题: str) -> 章节稿:
    return {"段落": [标题], "字数": len(标题)}


@node
def 汇总(段落: list[str], 字数: int) -> 成稿:
    return {"全文": f"{'|'.join(sorted(段落))}（{字数}字）"}


@flow(output=成稿)
def 长文流程(topic: str) -> None:
    写 = each("章节", 写章节, item="标题")
    列大纲 >> route(lambda out: "写" if out["章节"] else "无", {"写": 写, "无": END})
    写 >> 汇总


RUNS = {"长文流程": ({"topic": "AI"}, {"全文": "AI原理|AI简介（8字）"})}
