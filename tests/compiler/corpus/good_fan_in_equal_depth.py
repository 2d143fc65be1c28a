"""Two branches of equal depth after one fan-out stay in step: `report` runs once, after
both second steps, with both keys."""
from typing import TypedDict

from liteflow import flow, node


class 源(TypedDict):
    base: int


class 甲一(TypedDict):
    a1: int


class 甲二(TypedDict):
    a2: int


class 乙一(TypedDict):
    b1: int


class 乙二(TypedDict):
    b2: int


class 合(TypedDict):
    total: int


@node
def 起点(x: int) -> 源:
    return {"base": x}


@node
def 甲步一(base: int) -> 甲一:
    return {"a1": base + 1}


@node
def 甲步二(a1: int) -> 甲二:
    return {"a2": a1 * 2}


@node
def 乙步一(base: int) -> 乙一:
    return {"b1": base + 10}


@node
def 乙步二(b1: int) -> 乙二:
    return {"b2": b1 * 3}


@node
def 汇总(a2: int, b2: int) -> 合:
    return {"total": a2 + b2}


@flow(output=合)
def 等长分支(x: int) -> None:
    起点 >> [甲步一, 乙步一]
    甲步一 >> 甲步二
    乙步一 >> 乙步二
    甲步二 >> 汇总
    乙步二 >> 汇总


RUNS = {"等长分支": ({"x": 1}, {"total": 4 + 33})}
