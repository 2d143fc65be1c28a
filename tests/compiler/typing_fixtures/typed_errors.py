"""Mistakes mypy must report, each on the line marked `# mypy-error`."""
from typing import TypedDict

from liteflow import flow, node


class 草稿(TypedDict):
    text: str


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿:
    return {"text": topic}


@node(retry_count=1)
def 评审员(text: str) -> 评审:
    return {"score": len(text)}


@flow(output=评审)
def 写作流程(topic: str) -> None:
    写作 >> 评审员


写作(topc="机器学习")  # mypy-error
写作(topic=42)  # mypy-error
评审员(txt="x")  # mypy-error
写作流程.run(topci="机器学习")  # mypy-error
写作流程.run(topic=1)  # mypy-error
分数: str = 写作流程.run(topic="x").output["score"]  # mypy-error
稿: 评审 = 写作(topic="x")  # mypy-error


@node(retry_on="ValueError")  # mypy-error
def 坏重试(text: str) -> 评审:
    return {"score": len(text)}


@node(jitter="0.5")  # mypy-error
def 坏抖动(text: str) -> 评审:
    return {"score": len(text)}
