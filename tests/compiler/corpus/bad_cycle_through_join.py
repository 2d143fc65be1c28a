"""LF203: two reviewers run in parallel and join into 修改, which sends the draft back to
both with no condition; the only `.when` is on the exit, so the loop never stops."""
from typing import TypedDict

from liteflow import flow, node


class 稿(TypedDict):
    draft: str


class 甲评(TypedDict):
    note_a: str


class 乙评(TypedDict):
    note_b: str


class 改(TypedDict):
    draft: str
    rounds: int


class 发(TypedDict):
    published: str


@node
def 写作(topic: str) -> 稿:
    return {"draft": topic}


@node
def 评审甲(draft: str) -> 甲评:
    return {"note_a": "ok"}


@node
def 评审乙(draft: str) -> 乙评:
    return {"note_b": "ok"}


@node
def 修改(draft: str, note_a: str, note_b: str, rounds: int = 0) -> 改:
    return {"draft": draft + "!", "rounds": rounds + 1}


@node
def 发布(draft: str) -> 发:
    return {"published": draft}


@flow(output=发)
def 评审循环(topic: str) -> None:
    写作 >> [评审甲, 评审乙]
    [评审甲, 评审乙] >> 修改
    修改 >> [评审甲, 评审乙]  # expect: LF203
    修改 >> 发布.when(lambda out: out["rounds"] >= 3)
