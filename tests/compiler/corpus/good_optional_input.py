"""An optional input (with a default) may be absent; nothing has to produce it."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str


class 结果(TypedDict):
    out: str


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node
def 排版(text: str, 风格: str = "简洁") -> 结果:
    return {"out": f"{风格}:{text}"}


@flow(output=结果)
def 排版流程(topic: str) -> None:
    写作 >> 排版


RUNS = {"排版流程": ({"topic": "x"}, {"out": "简洁:x"})}
