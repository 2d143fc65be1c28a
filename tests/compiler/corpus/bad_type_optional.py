"""LF102: `int | None` may be None, the consumer needs an int (Annotated is looked through)."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, flow, node


class 查找(TypedDict):
    index: Annotated[int | None, UpdateStrategy.OVERWRITE]


class 取值(TypedDict):
    value: str


@node
def 查找器(text: str) -> 查找:
    return {"index": text.find("x") if "x" in text else None}


@node
def 取字(text: str, index: int) -> 取值:  # expect: LF102
    return {"value": text[index]}


@flow(output=取值)
def 查找流程(text: str) -> None:
    查找器 >> 取字
