"""A join of unequal depth inside a loop: each round, `merge` waits for `fact_check`, a
superstep after `style`, so it runs together with `log`; `score` after `log` reads the
merged draft. The loop goes round again only while `score` asks for it."""
from typing import TypedDict

from liteflow import START, flow, node


class 稿(TypedDict):
    draft: str


class 风格(TypedDict):
    style_note: str


class 事实(TypedDict):
    facts: str


class 核查(TypedDict):
    checked: str


class 合并(TypedDict):
    merged: str


class 日志(TypedDict):
    logged: int


class 分数(TypedDict):
    score: int


@node
def write(topic: str, merged: str = "") -> 稿:
    return {"draft": topic + merged}


@node
def style(draft: str) -> 风格:
    return {"style_note": "ok"}


@node
def gather(draft: str) -> 事实:
    return {"facts": draft}


@node
def fact_check(facts: str) -> 核查:
    return {"checked": facts}


@node
def merge(style_note: str, checked: str) -> 合并:
    return {"merged": checked + "!"}


@node
def log(checked: str) -> 日志:
    return {"logged": len(checked)}


@node
def score(merged: str, logged: int) -> 分数:
    return {"score": len(merged) + logged}


@flow(output=分数)
def 改稿循环(topic: str) -> None:
    START >> write
    write >> [style, gather]
    gather >> fact_check
    [style, fact_check] >> merge
    fact_check >> log
    log >> score
    score >> write.when(lambda out: out["score"] < 10)


RUNS = {"改稿循环": ({"topic": "稿"}, {"score": 11})}
