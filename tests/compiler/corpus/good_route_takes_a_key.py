"""A route always takes at least one key: whichever search runs beside `plan`, `hits` is
written before `answer` (after `plan`) runs."""
from typing import TypedDict

from liteflow import flow, node, route


class 问(TypedDict):
    query: str


class 结果(TypedDict):
    hits: list[str]


class 计划(TypedDict):
    steps: int


class 答(TypedDict):
    answer: str


@node
def understand(question: str) -> 问:
    return {"query": question.strip()}


@node
def web_search(query: str) -> 结果:
    return {"hits": ["web:" + query]}


@node
def paper_search(query: str) -> 结果:
    return {"hits": ["paper:" + query]}


@node
def plan(query: str) -> 计划:
    return {"steps": len(query)}


@node
def answer(hits: list[str], steps: int) -> 答:
    return {"answer": f"{hits[0]} in {steps}"}


@flow(output=答)
def 检索流程(question: str) -> None:
    understand >> route(lambda out: "web" if "?" in out["query"] else "paper",
                        {"web": web_search, "paper": paper_search})
    understand >> plan
    plan >> answer


RUNS = {"检索流程": ({"question": "x?"}, {"answer": "web:x? in 2"})}
