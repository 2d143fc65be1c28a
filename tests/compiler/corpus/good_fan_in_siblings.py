"""The design document's fan-in: `parse >> [entities, sentiment]`, then plain edges (not a
join) from both into `report`. The siblings always run in one superstep, so `report` runs
once, with both keys."""
from typing import TypedDict

from liteflow import flow, node


class 文本(TypedDict):
    tokens: list[str]


class 实体(TypedDict):
    entities: list[str]


class 情感(TypedDict):
    sentiment: str


class 报告(TypedDict):
    report: str


@node
def parse(text: str) -> 文本:
    return {"tokens": text.split()}


@node
def entities(tokens: list[str]) -> 实体:
    return {"entities": [t for t in tokens if t.istitle()]}


@node
def sentiment(tokens: list[str]) -> 情感:
    return {"sentiment": "positive" if "good" in tokens else "neutral"}


@node
def report(entities: list[str], sentiment: str) -> 报告:
    return {"report": f"{','.join(entities)}:{sentiment}"}


@flow(output=报告)
def 分析流程(text: str) -> None:
    parse >> [entities, sentiment]
    entities >> report
    sentiment >> report


RUNS = {"分析流程": ({"text": "Alice is good"}, {"report": "Alice:positive"})}
