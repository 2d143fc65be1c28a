"""LF102: list[str] flows into list[int]."""
from typing import TypedDict

from liteflow import flow, node


class 词表(TypedDict):
    words: list[str]


class 总和(TypedDict):
    total: int


@node
def 分词(text: str) -> 词表:
    return {"words": text.split()}


@node
def 求和(words: list[int]) -> 总和:  # expect: LF102
    return {"total": sum(words)}


@flow(output=总和)
def 求和流程(text: str) -> None:
    分词 >> 求和
