"""LF204 (warning), twice: the join's parents sit behind different route keys, so the
selector may pick one without the other and 综合 never runs."""
from typing import TypedDict

from liteflow import flow, node, route


class 问(TypedDict):
    kind: str


class 论文(TypedDict):
    papers: list[str]


class 新闻(TypedDict):
    news: list[str]


class 综(TypedDict):
    summary: str


@node
def 分类(question: str) -> 问:
    return {"kind": "paper"}


@node
def 查论文(question: str) -> 论文:
    return {"papers": [question]}


@node
def 查新闻(question: str) -> 新闻:
    return {"news": [question]}


@node
def 综合(papers: list[str], news: list[str]) -> 综:
    return {"summary": " ".join(papers + news)}


@flow(output=综)
def 研究助手(question: str) -> None:
    分类 >> route(lambda out: out["kind"], {"paper": 查论文, "news": 查新闻})
    [查论文, 查新闻] >> 综合  # expect: LF204 LF204
