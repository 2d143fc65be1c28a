"""LF201 in a builder workflow: an edge names 分折器; did you mean 分析器?"""
from typing import Any

from liteflow import Workflow


def 清洗(x: dict[str, Any]) -> dict[str, Any]:
    return {"clean": x["data"].strip()}


def 分析(x: dict[str, Any]) -> dict[str, Any]:
    return {"result": f"分析: {x['clean']}"}


workflow = Workflow("数据分析", {"data": "  原始数据  "})
workflow.add_node("清洗器", 清洗)
workflow.add_node("分析器", 分析)
workflow.add_edge("清洗器", "分折器")  # expect: LF201
