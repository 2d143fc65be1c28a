"""LF101: the branches have unequal depth. `entities >> report` runs `report` in the third
superstep, while `polish` (which writes `polished`) only runs in the fourth."""
from typing import TypedDict

from liteflow import flow, node


class 文本(TypedDict):
    tokens: list[str]


class 实体(TypedDict):
    entities: list[str]


class 情感(TypedDict):
    sentiment: str


class 润色(TypedDict):
    polished: str


class 报告(TypedDict):
    report: str


@node
def parse(text: str) -> 文本:
    return {"tokens": text.split()}


@node
def entities(tokens: list[str]) -> 实体:
    return {"entities": tokens}


@node
def sentiment(tokens: list[str]) -> 情感:
    return {"sentiment": "neutral"}


@node
def polish(sentiment: str) -> 润色:
    return {"polished": sentiment.upper()}


@node
def report(entities: list[str], polished: str) -> 报告:  # expect: LF101
    return {"report": f"{entities}:{polished}"}


@flow(output=报告)
def 分析流程(text: str) -> None:
    parse >> [entities, sentiment]
    sentiment >> polish
    entities >> report
    polish >> report
