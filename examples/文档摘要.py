"""A map over documents with `each`: summarise every document in parallel, then collect."""

from __future__ import annotations

import asyncio
from typing import Annotated, TypedDict

from liteflow import RunResult, UpdateStrategy, each, flow, node


class 文档集(TypedDict):
    documents: list[str]


class 摘要(TypedDict):
    summaries: Annotated[list[str], UpdateStrategy.APPEND]


class 汇编结果(TypedDict):
    digest: str
    count: int


@node
def 收集文档(folder: str) -> 文档集:
    chapters = [f"{folder}/第{i}章：关于工作流编排的讨论。细节从略。" for i in range(1, 6)]
    return {"documents": chapters}


@node
async def 摘要员(document: str, max_chars: int) -> 摘要:
    await asyncio.sleep(0.05)  # stands for a model call
    first_sentence = document.split("。")[0]
    return {"summaries": [first_sentence[:max_chars]]}


@node
def 汇编(summaries: list[str]) -> 汇编结果:
    return {"digest": "\n".join(summaries), "count": len(summaries)}


@flow(output=汇编结果)
def 摘要流程(folder: str, max_chars: int = 40) -> None:
    收集文档 >> each("documents", 摘要员, item="document") >> 汇编


def main() -> RunResult[汇编结果]:
    result = 摘要流程.run(folder="资料")
    print(f"{result.output['count']} 篇文档的摘要：\n{result.output['digest']}")
    return result


if __name__ == "__main__":
    main()
