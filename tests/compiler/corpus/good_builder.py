"""The design document's builder workflow."""
from typing import Any

from liteflow import Workflow


def 清洗(x: dict[str, Any]) -> dict[str, Any]:
    return {"clean": x["data"].strip()}


def 分析(x: dict[str, Any]) -> dict[str, Any]:
    return {"result": f"分析: {x['clean']}"}


workflow = Workflow("数据分析", {"data": "  原始数据  "})
workflow.add_node("清洗器", 清洗)
workflow.add_node("分析器", 分析)
workflow.chain("清洗器", "分析器")
