"""Two entries run together in the first superstep, so `甲 >> 相加` plus `乙 >> 相加`
runs 相加 once, in the second, with both keys defined."""
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
def 相加(甲值: int, 乙值: int) -> 和:
    return {"total": 甲值 + 乙值}


@flow(output=和)
def 相加流程(x: int) -> None:
    甲 >> 相加
    乙 >> 相加
