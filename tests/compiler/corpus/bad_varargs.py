"""LF100: *args is not allowed (every parameter is a state key)."""
from typing import TypedDict

from liteflow import START, flow, node


class 草稿(TypedDict):
    text: str


@node
def 合并(*片段: str) -> 草稿:  # expect: LF100
    return {"text": "".join(片段)}


@flow(output=草稿)
def 合并流程(topic: str) -> None:
    START >> 合并
