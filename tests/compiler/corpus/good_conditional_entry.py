"""A conditional entry: START >> route(...) on the flow's inputs, one branch to END.

`写回答` needs `question` on the research branch only: a flow input is always set.
"""
from typing import Any, TypedDict

from liteflow import END, START, flow, node, route


class 资料(TypedDict):
    notes: str


class 回答(TypedDict, total=False):
    answer: str


@node
def 检索(question: str) -> 资料:
    return {"notes": f"关于{question}的资料"}


@node
def 写回答(notes: str, question: str) -> 回答:
    return {"answer": f"{question}：{notes}"}


@node
def 寒暄(question: str) -> 回答:
    return {"answer": "你好！"}


def 分流(inputs: dict[str, Any]) -> str:
    if not inputs["question"]:
        return "empty"
    return "research" if inputs["question"].endswith("？") else "chat"


@flow(output=回答)
def 问答流程(question: str) -> None:
    START >> route(分流, {"research": 检索, "chat": 寒暄, "empty": END})
    检索 >> 写回答


RUNS = {"问答流程": ({"question": "天为什么是蓝的？"},
                     {"answer": "天为什么是蓝的？：关于天为什么是蓝的？的资料"})}
