"""Retry predicates and jitter, and a flow limited to two calls at once, check clean."""
from typing import Annotated, TypedDict

from liteflow import UpdateStrategy, each, flow, node


class 列表(TypedDict):
    items: list[str]


class 回答(TypedDict):
    answers: Annotated[list[str], UpdateStrategy.APPEND]


def 值得重试(error: Exception) -> bool:
    return isinstance(error, ConnectionError)


@node
def 准备(topic: str) -> 列表:
    return {"items": [topic, topic + "？"]}


@node(retry_count=3, retry_delay=0.5, jitter=0.25, retry_on=值得重试)
async def 提问(item: str) -> 回答:
    return {"answers": [item]}


@flow(output=回答)
def 问答(topic: str) -> None:
    准备 >> each("items", 提问, item="item")


限流问答 = 问答.with_options(max_concurrency=2)
