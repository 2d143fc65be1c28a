"""LF105: each(...) over a str (strings are refused at run time: they are not item lists)."""
from typing import Annotated, TypedDict

from liteflow import START, UpdateStrategy, each, flow, node


class 结果(TypedDict):
    字: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 拆字(c: str) -> 结果:  # expect: LF105
    return {"字": [c]}


@flow(output=结果)
def 拆字流程(文本: str) -> None:
    START >> each("文本", 拆字, item="c")

