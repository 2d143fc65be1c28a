"""Conditional entries: a branch that needs what only the other branch writes (LF101), a
selector returning a key the route does not list (LF201) and reading an input the flow
does not have (LF101)."""
from typing import Any, TypedDict

from liteflow import END, START, flow, node, route


class 资料(TypedDict):
    notes: str


class 回答(TypedDict):
    answer: str


@node
def 检索(question: str) -> 资料:
    return {"notes": question}


@node
def 写回答(notes: str, question: str) -> 回答:  # expect: LF101
    return {"answer": notes + question}


def 分流(inputs: dict[str, Any]) -> str:
    if inputs["question"].endswith("？"):
        return "research"
    return "anwser"


@flow(output=回答)
def 问答流程(question: str) -> None:
    START >> 检索.when(lambda inputs: inputs["question"] != "")
    START >> route(分流, {"research": 写回答, "answer": END})  # expect: LF201


@flow(output=回答)
def 读错输入(question: str) -> None:
    START >> route(lambda inputs: "go" if inputs["qustion"] else "skip",  # expect: LF101
                   {"go": 检索, "skip": END})
    检索 >> 写回答
