"""A loop body reads keys produced before the loop and by the loop itself."""
from typing import TypedDict

from liteflow import flow, node


class 计数(TypedDict):
    n: int


@node
def 开始(limit: int) -> 计数:
    return {"n": 0}


@node
def 加一(n: int) -> 计数:
    return {"n": n + 1}


@flow(output=计数)
def 计数流程(limit: int) -> None:
    开始 >> 加一
    加一 >> 加一.when(lambda out, state: out["n"] < state["limit"])


RUNS = {"计数流程": ({"limit": 3}, {"n": 3})}
