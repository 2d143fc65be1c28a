"""The quick start of the specification: a conditional loop."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str
    iteration: int


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿:
    return {"text": f"关于{topic}的初稿", "iteration": 0}


@node
def 评审员(text: str) -> 评审:
    return {"score": min(100, 40 + 10 * text.count("！"))}


@node(retry_count=2, retry_delay=0.5, timeout=30)
async def 改进(text: str, iteration: int) -> 草稿:
    return {"text": text + "！", "iteration": iteration + 1}


@flow(max_supersteps=50)
def 写作流程(topic: str) -> 评审:
    写作 >> 评审员
    评审员 >> 改进.when(lambda out, state: out["score"] < 80 and state["iteration"] < 5)
    改进 >> 评审员


RUNS = {"写作流程": ({"topic": "机器学习"}, {"score": 80})}
