"""LF101: the route selector subscripts a NotRequired output."""
from typing import NotRequired, TypedDict

from liteflow import END, flow, node, route


class 判断(TypedDict):
    text: str
    类别: NotRequired[str]


class 回复(TypedDict):
    reply: str


@node
def 分类(text: str) -> 判断:
    return {"text": text}


@node
def 回答(text: str) -> 回复:
    return {"reply": text}


@flow(output=回复)
def 客服(text: str) -> None:
    去向 = {"答": 回答, "完": END}
    分类 >> route(lambda out: "答" if out["类别"] == "问" else "完", 去向)  # expect: LF101
