"""LF101: one sibling sits behind `.when`, so `合并` can run (via 乙) without 甲's key."""
from typing import TypedDict

from liteflow import flow, node


class 源(TypedDict):
    base: int


class 甲出(TypedDict):
    a: int


class 乙出(TypedDict):
    b: int


class 合(TypedDict):
    total: int


@node
def 起点(x: int) -> 源:
    return {"base": x}


@node
def 甲(base: int) -> 甲出:
    return {"a": base}


@node
def 乙(base: int) -> 乙出:
    return {"b": base}


@node
def 合并(a: int, b: int) -> 合:  # expect: LF101
    return {"total": a + b}


@flow(output=合)
def 条件兄弟(x: int) -> None:
    起点 >> [甲.when(lambda out: out["base"] > 0), 乙]
    甲 >> 合并
    乙 >> 合并
