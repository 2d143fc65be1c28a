"""LF101: `a >> c` plus `b >> c` lets c run after either parent alone, so a key only
`a` produces is not guaranteed (a join `[a, b] >> c` would be fine)."""
from typing import TypedDict

from liteflow import flow, node


class 甲出(TypedDict):
    甲值: int


class 乙出(TypedDict):
    乙值: int


class 和(TypedDict):
    total: int


@node
def 甲(x: int) -> 甲出:
    return {"甲值": x}


@node
def 乙(x: int) -> 乙出:
    return {"乙值": x}


@node
def 相加(甲值: int, 乙值: int) -> 和:  # expect: LF101 LF101
    return {"total": 甲值 + 乙值}


@flow(output=和)
def 相加流程(x: int) -> None:
    甲 >> 相加
    乙 >> 相加
