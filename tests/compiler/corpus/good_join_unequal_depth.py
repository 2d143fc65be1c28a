"""A join of unequal depth: `report` waits for `polish`, one superstep deeper than
`entities`, so it always runs together with `notify` (started by `polish` too), and
`archive` after `notify` sees the report."""
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


class 通知(TypedDict):
    notified: bool


class 归档(TypedDict):
    archived: str


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
def report(entities: list[str], polished: str) -> 报告:
    return {"report": f"{len(entities)}:{polished}"}


@node
def notify(polished: str) -> 通知:
    return {"notified": bool(polished)}


@node
def archive(report: str, notified: bool) -> 归档:
    return {"archived": f"{report}/{notified}"}


@flow(output=归档)
def 分析流程(text: str) -> None:
    parse >> [entities, sentiment]
    sentiment >> polish
    [entities, polish] >> report
    polish >> notify
    notify >> archive


RUNS = {"分析流程": ({"text": "a b"}, {"archived": "2:NEUTRAL/True"})}
