"""Flows the page is tested with: Chinese names, a fan-out and join, and a gate.

`闸门` blocks the node `等待审批` until a test opens it, so a test can watch a node
running, then done.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated, TypedDict

from liteflow import START, Context, UpdateStrategy, flow, node

闸门 = threading.Event()
SLOW = 0.3  # seconds each node of 慢流程 sleeps


class 大纲(TypedDict):
    outline: list[str]


class 段落(TypedDict):
    paragraphs: Annotated[list[str], UpdateStrategy.APPEND]


class 成稿(TypedDict):
    article: str


@node
def 拟定大纲(topic: str) -> 大纲:
    return {"outline": [f"{topic}：起", f"{topic}：承"]}


@node
def 写开头(outline: list[str]) -> 段落:
    return {"paragraphs": [f"开头：{outline[0]}"]}


@node
def 写正文(outline: list[str]) -> 段落:
    return {"paragraphs": [f"正文：{outline[-1]}"]}


@node
def 等待审批(paragraphs: list[str]) -> 段落:
    if not 闸门.wait(20):
        raise TimeoutError("闸门 was never opened")
    return {"paragraphs": ["审批通过"]}


@node
def 合并成稿(paragraphs: list[str]) -> 成稿:
    return {"article": "\n".join(paragraphs)}


@flow(output=成稿)
def 写作流程(topic: str) -> None:
    拟定大纲 >> [写开头, 写正文]
    [写开头, 写正文] >> 等待审批
    等待审批 >> 合并成稿


class 计数(TypedDict):
    n: int


@node
def 加一(n: int) -> 计数:
    return {"n": n + 1}


@node
def 再加一(n: int) -> 计数:
    return {"n": n + 1}


@flow(output=计数)
def 计数流程(n: int) -> None:
    加一 >> 再加一


开关 = {"失败": True}


@node
def 可能失败(n: int) -> 计数:
    if 开关["失败"]:
        raise RuntimeError("外部服务暂时不可用")
    return {"n": n + 10}


@flow(output=计数)
def 重试流程(n: int) -> None:
    加一 >> 可能失败


@node
def 慢一(n: int) -> 计数:
    time.sleep(SLOW)
    return {"n": n + 1}


@node
def 慢二(n: int) -> 计数:
    time.sleep(SLOW)
    return {"n": n + 1}


@node
def 慢三(n: int) -> 计数:
    time.sleep(SLOW)
    return {"n": n + 1}


@flow(output=计数)
def 慢流程(n: int) -> None:
    慢一 >> 慢二 >> 慢三


class 大值(TypedDict):
    blob: str


@node
def 写大值(n: int) -> 大值:
    return {"blob": "长" * (n)}


@flow(output=大值)
def 大值流程(n: int) -> None:
    START >> 写大值


if __name__ == "__main__":  # a run in another process: python -m tests.ui.flows URL THREAD
    import sys

    慢流程.with_options(thread_id=sys.argv[2], checkpointer=sys.argv[1]).run(n=0)


class 批示(TypedDict):
    approved: bool
    comment: str


@node
def 人工批准(n: int, ctx: Context) -> 批示:
    answer: 批示 = ctx.interrupt({"请批准": n}, expect=批示)
    return answer


@flow(output=批示)
def 审批流程(n: int) -> None:
    START >> 人工批准
