"""LF105: the elements are ints, the item parameter expects str."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 编号(TypedDict):
    ids: list[int]


class 结果(TypedDict):
    names: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 列出(topic: str) -> 编号:
    return {"ids": [1, 2]}


@node
def 命名(name: str) -> 结果:
    return {"names": [name]}


@flow(output=结果)
def 命名流程(topic: str) -> None:
    列出 >> each("ids", 命名, item="name")  # expect: LF105
