"""LF101: the join waits for the deeper branch, but `summary` hangs off the shallow one:
it runs in the third superstep, together with `polish`, before `polished` exists."""
from typing import TypedDict

from liteflow import flow, node


class 词(TypedDict):
    tokens: list[str]


class 实体(TypedDict):
    entities: list[str]


class 情感(TypedDict):
    sentiment: str


class 润色(TypedDict):
    polished: str


class 报告(TypedDict):
    report: str


class 摘要(TypedDict):
    summary: str


@node
def parse(text: str) -> 词:
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
def report(entities: list[str], polished: str, summary: str) -> 报告:
    return {"report": f"{len(entities)}:{polished}:{summary}"}


@node
def summary(entities: list[str], polished: str) -> 摘要:  # expect: LF101
    return {"summary": f"{entities}{polished}"}


@flow(output=报告)
def 分析流程(text: str) -> None:
    parse >> [entities, sentiment]
    sentiment >> polish
    entities >> summary
    [summary, polish] >> report
