"""An int fits where a float is expected (as in mypy); Annotated is looked through."""
from typing import Annotated, TypedDict

from liteflow import flow, node


class 计数(TypedDict):
    count: Annotated[int, "整数"]


class 平均(TypedDict):
    mean: float


@node
def 数(text: str) -> 计数:
    return {"count": len(text)}


@node
def 平均值(count: float) -> 平均:
    return {"mean": count / 2}


@flow(output=平均)
def 平均流程(text: str) -> None:
    数 >> 平均值


RUNS = {"平均流程": ({"text": "abcd"}, {"mean": 2.0})}
