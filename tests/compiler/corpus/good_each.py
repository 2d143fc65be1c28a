"""The documentation's dynamic map: each(...) then a collecting node."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 大纲(TypedDict):
    章节: list[str]


class 章节稿(TypedDict):
    段落: Annotated[list[str], UpdateStrategy.APPEND]


class 成稿(TypedDict):
    全文: str


@node
def 列大纲(topic: str) -> 大纲:
    return {"章节": [f"{topic}简介", f"{topic}原理"]}


@node
async def 写章节(标题: str, topic: str) -> 章节稿:
    return {"段落": [标题]}


@node
def 汇总(段落: list[str]) -> 成稿:
    return {"全文": "|".join(sorted(段落))}


@flow(output=成稿)
def 长文流程(topic: str) -> None:
    列大纲 >> each("章节", 写章节, item="标题") >> 汇总


RUNS = {"长文流程": ({"topic": "AI"}, {"全文": "AI原理|AI简介"})}
