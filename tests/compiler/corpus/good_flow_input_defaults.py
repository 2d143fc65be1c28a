"""Flow inputs, with or without defaults, are in the state from the start."""
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
def 翻译(text: str, 语言: str) -> 结果:
    return {"out": f"[{语言}] {text}"}


@flow(output=结果)
def 翻译流程(topic: str, 语言: str = "英语") -> None:
    写作 >> 翻译


RUNS = {"翻译流程": ({"topic": "你好"}, {"out": "[英语] 你好"})}
