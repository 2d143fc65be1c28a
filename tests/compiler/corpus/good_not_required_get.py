"""A NotRequired output read with .get() in a condition; an optional parameter reads it."""
from typing import NotRequired, TypedDict

from liteflow import END, flow, node, route


class 判断(TypedDict):
    text: str
    类别: NotRequired[str]


class 回复(TypedDict):
    reply: str


@node
def 分类(text: str) -> 判断:
    return {"text": text, "类别": "问"} if "?" in text else {"text": text}


@node
def 回答(text: str, 类别: str = "其他") -> 回复:
    return {"reply": f"{类别}:{text}"}


@flow(output=回复)
def 客服(text: str) -> None:
    分类 >> route(lambda out: "答" if out.get("类别") == "问" else "完", {"答": 回答, "完": END})


RUNS = {"客服": ({"text": "?"}, {"reply": "问:?"})}
