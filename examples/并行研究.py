"""Parallel research: one question fans out to three researchers, a join writes the report."""

from __future__ import annotations

import asyncio
from typing import Annotated, TypedDict

from liteflow import RunResult, UpdateStrategy, flow, node


class 计划(TypedDict):
    keywords: list[str]


class 发现(TypedDict):
    findings: Annotated[list[str], UpdateStrategy.APPEND]
    sources: Annotated[int, UpdateStrategy.ADD]


class 报告(TypedDict):
    report: str


@node
def 规划(question: str) -> 计划:
    return {"keywords": question.split("与")}


@node
async def 查论文(keywords: list[str]) -> 发现:
    await asyncio.sleep(0.1)  # stands for a slow search API
    return {"findings": [f"论文：{k}的最新进展" for k in keywords], "sources": 3}


@node
async def 查新闻(keywords: list[str]) -> 发现:
    await asyncio.sleep(0.1)
    return {"findings": [f"新闻：{keywords[0]}的行业动态"], "sources": 2}


@node
def 查数据(keywords: list[str]) -> 发现:
    return {"findings": [f"数据：{len(keywords)} 个主题的统计"], "sources": 1}


@node
def 撰写报告(question: str, findings: list[str], sources: int) -> 报告:
    lines = "\n".join(f"- {f}" for f in findings)
    return {"report": f"# {question}\n{lines}\n（共 {sources} 个来源）"}


@flow(output=报告)
def 研究流程(question: str) -> None:
    规划 >> [查论文, 查新闻, 查数据]
    [查论文, 查新闻, 查数据] >> 撰写报告


def main() -> RunResult[报告]:
    result = 研究流程.run(question="大模型与智能体")
    print(result.output["report"])
    return result


if __name__ == "__main__":
    main()
