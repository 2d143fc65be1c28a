"""each(...) inside a fan-out list, beside a sibling, joined after."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 文档们(TypedDict):
    docs: list[str]


class 摘要们(TypedDict):
    summaries: Annotated[list[str], UpdateStrategy.APPEND]


class 标题(TypedDict):
    title: str


class 报告(TypedDict):
    report: str


@node
def 检索(topic: str) -> 文档们:
    return {"docs": [f"{topic}-1", f"{topic}-2"]}


@node
def 起标题(topic: str) -> 标题:
    return {"title": f"《{topic}》"}


@node
def 摘要(doc: str) -> 摘要们:
    return {"summaries": [doc[-1]]}


@node
def 成报告(title: str, summaries: list[str]) -> 报告:
    return {"report": title + "".join(sorted(summaries))}


@flow(output=报告)
def 报告流程(topic: str) -> None:
    检索 >> [起标题, each("docs", 摘要, item="doc")] >> 成报告


RUNS = {"报告流程": ({"topic": "AI"}, {"report": "《AI》12"})}
