"""The built-in demo flow (`liteflow demo`): writing a short article.

It shows the three shapes of a Pregel flow in a handful of supersteps:
a chain, a fan-out whose branches run in the same superstep (one async, one sync)
joined again, and a conditional loop that polishes the draft until the review passes.
With a chat model in `context={"model": ...}`, the draft is written by the model.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol, TypedDict

# Absolute imports, as user code writes them: the file also works as `liteflow check`
# and `liteflow run` input.
from liteflow import Context, flow, node

__all__ = ["PASS_SCORE", "写作流程"]

PASS_SCORE = 85  # the review passes from this score on
_PAUSE = 0.04  # each node "works" a little, so the supersteps can be watched


class ChatModel(Protocol):
    async def ainvoke(self, messages: str) -> Any: ...


class 资料包(TypedDict):
    资料: list[str]


class 要点包(TypedDict):
    要点: list[str]


class 统计(TypedDict):
    字数: int


class 草稿包(TypedDict):
    草稿: str
    轮次: int


class 评审结果(TypedDict):
    分数: int
    意见: str


class 成果(TypedDict):
    草稿: str
    分数: int
    轮次: int


@node
async def 收集资料(主题: str) -> 资料包:
    await asyncio.sleep(_PAUSE)
    return {"资料": [f"{主题}的基本概念", f"{主题}的发展历程", f"{主题}的典型应用"]}


@node
async def 提炼要点(资料: list[str]) -> 要点包:
    await asyncio.sleep(_PAUSE)
    return {"要点": [item.split("的", 1)[-1] for item in 资料]}


@node
def 统计字数(资料: list[str]) -> 统计:
    time.sleep(_PAUSE)  # a sync node: it runs on a worker thread, beside 提炼要点
    return {"字数": sum(len(item) for item in 资料)}


def _template(主题: str, 要点: list[str], 字数: int) -> str:
    return f"《{主题}》：从{'、'.join(要点)}三方面展开（素材 {字数} 字）。"


def 离线初稿(主题: str, 要点: list[str], 字数: int, error: Exception) -> 草稿包:
    """Fallback of 撰写初稿: the model failed, so write the draft from the template."""
    return {"草稿": _template(主题, 要点, 字数), "轮次": 0}


@node(timeout=60, fallback=离线初稿)
async def 撰写初稿(主题: str, 要点: list[str], 字数: int, ctx: Context) -> 草稿包:
    model: ChatModel | None = ctx.deps.get("model")
    if model is None:
        await asyncio.sleep(_PAUSE)
        return {"草稿": _template(主题, 要点, 字数), "轮次": 0}
    reply = await model.ainvoke(
        f"用一句话（不超过 60 字）介绍「{主题}」，涵盖：{'、'.join(要点)}。")
    return {"草稿": str(reply.content).strip(), "轮次": 0}


@node
def 评审员(草稿: str, 轮次: int) -> 评审结果:
    分数 = min(100, 60 + 15 * 轮次)
    意见 = ("并补充生动的例子", "结尾再点题")[min(轮次, 1)] if 分数 < PASS_SCORE else "可以发表"
    return {"分数": 分数, "意见": 意见}


@node
async def 润色(草稿: str, 轮次: int, 意见: str) -> 草稿包:
    await asyncio.sleep(_PAUSE)
    return {"草稿": f"{草稿.rstrip('。')}，{意见}。", "轮次": 轮次 + 1}


def 需要润色(out: 评审结果) -> bool:
    return out["分数"] < PASS_SCORE


@flow(output=成果, max_supersteps=30)
def 写作流程(主题: str) -> None:
    收集资料 >> [提炼要点, 统计字数]          # fan-out: one superstep, two branches
    [提炼要点, 统计字数] >> 撰写初稿           # join: waits for both
    撰写初稿 >> 评审员                         # chain
    评审员 >> 润色.when(需要润色)              # conditional loop …
    润色 >> 评审员                             # … back to the review
