"""LF102: 打分员 produces `score` as str, 决策 expects int."""
from typing import TypedDict

from liteflow import flow, node


class 打分(TypedDict):
    score: str


class 决定(TypedDict):
    ok: bool


@node
def 打分员(text: str) -> 打分:
    return {"score": "90"}


@node
def 决策(score: int) -> 决定:  # expect: LF102
    return {"ok": score > 60}


@flow(output=决定)
def 决策流程(text: str) -> None:
    打分员 >> 决策
