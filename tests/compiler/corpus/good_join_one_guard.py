"""A join whose parents share one guard: 拆解 is behind the route, and both researchers
follow it unconditionally, so the join into 综合 fires whenever the branch runs."""
from typing import TypedDict

from liteflow import END, flow, node, route


class 问(TypedDict):
    kind: str


class 题(TypedDict):
    parts: list[str]


class 论文(TypedDict):
    papers: list[str]


class 新闻(TypedDict):
    news: list[str]


class 综(TypedDict):
    summary: str


@node
def 分类(question: str) -> 问:
    return {"kind": "research" if "?" in question else "chat"}


@node
def 拆解(question: str) -> 题:
    return {"parts": question.rstrip("?").split()}


@node
def 查论文(parts: list[str]) -> 论文:
    return {"papers": [f"论文:{p}" for p in parts]}


@node
def 查新闻(parts: list[str]) -> 新闻:
    return {"news": [f"新闻:{p}" for p in parts]}


@node
def 综合(papers: list[str], news: list[str]) -> 综:
    return {"summary": " ".join(papers + news)}


@flow(output=综)
def 研究助手(question: str) -> None:
    分类 >> route(lambda out: "research" if out["kind"] == "research" else "chat",
                {"research": 拆解, "chat": END})
    拆解 >> [查论文, 查新闻]
    [查论文, 查新闻] >> 综合


RUNS = {"研究助手": ({"question": "AI?"}, {"summary": "论文:AI 新闻:AI"})}
