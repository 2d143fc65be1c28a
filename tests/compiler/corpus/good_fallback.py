"""A typed fallback that matches its node; a **kwargs fallback is fine too."""
from typing import Any, TypedDict

from liteflow import START, flow, node


class 评审(TypedDict):
    score: int


def 兜底(text: str, error: Exception) -> 评审:
    return {"score": 0}


@node(fallback=兜底)
def 评审员(text: str) -> 评审:
    raise RuntimeError("模型不可用")


@node(fallback=lambda **kwargs: {"score": -1})
def 另一个(text: str) -> 评审:
    return {"score": len(text)}


def 宽松兜底(**kwargs: Any) -> 评审:
    return {"score": 1}


@node(fallback=宽松兜底)
def 第三个(text: str, 语气: str = "正式") -> 评审:
    return {"score": len(text)}


@flow(output=评审)
def 评审流程(text: str) -> None:
    START >> 评审员


@flow(output=评审)
def 其他流程(text: str) -> None:
    START >> [另一个]


@flow(output=评审)
def 第三流程(text: str) -> None:
    START >> 第三个


RUNS = {"评审流程": ({"text": "x"}, {"score": 0}), "其他流程": ({"text": "xy"}, {"score": 2})}
