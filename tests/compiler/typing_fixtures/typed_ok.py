"""Typed user code that mypy --strict accepts as it is."""
from typing import TypedDict

from liteflow import Context, NodeConfig, RunResult, flow, node


class 草稿(TypedDict):
    text: str
    iteration: int


class 评审(TypedDict):
    score: int


@node
def 写作(topic: str) -> 草稿:
    return {"text": f"关于{topic}的初稿", "iteration": 0}


@node(retry_count=2, timeout=30)
async def 改进(text: str, iteration: int) -> 草稿:
    return {"text": text + "！", "iteration": iteration + 1}


def 值得重试(error: Exception) -> bool:
    return isinstance(error, ConnectionError)


@node(retry_count=3, retry_on=lambda e: isinstance(e, ValueError), jitter=0.5)
def 抖动(text: str) -> 评审:
    return {"score": len(text)}


@node(config=NodeConfig(retry_count=1, retry_on=值得重试, jitter=0.1))
def 按配置(text: str) -> 评审:
    return {"score": len(text)}


@node(retry_on=ConnectionError)
def 单一类型(text: str) -> 评审:
    return {"score": len(text)}


@node(name="评审员")
def 打分(text: str, ctx: Context) -> 评审:
    return {"score": len(text) + ctx.superstep}


@flow(output=评审, max_supersteps=20)
def 写作流程(topic: str, 轮数: int = 3) -> None:
    写作 >> 打分
    打分 >> 改进.when(lambda out: out["score"] < 80)
    改进 >> 打分


draft: 草稿 = 写作(topic="机器学习")
words: str = draft["text"]
result: RunResult[评审] = 写作流程.run(topic="机器学习")
score: int = result.output["score"]
again = 写作流程.run("机器学习", 轮数=2)
