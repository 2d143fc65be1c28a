"""The builder API of the design document: `Workflow`, `Graph`, `Node`, `Edge`, engines.

Run it:  python examples/数据分析_builder.py
    or:  liteflow run examples/数据分析_builder.py:workflow
         python -m liteflow --workflow examples/数据分析_builder.py:graph --input value=10
"""

from __future__ import annotations

import asyncio
from typing import Any

from liteflow import SuperStepEvent, Workflow
from liteflow.definitions import Edge, Graph, Node, NodeConfig
from liteflow.engine import ExecutionEngine, PregelEngine, State

# 1. A workflow: nodes are plain functions `fn(inputs) -> dict`, chained in order.
workflow = Workflow("数据分析", {"data": "  原始数据  "})
workflow.add_node("清洗器", lambda x: {"clean": x["data"].strip()})
workflow.add_node("分析器", lambda x: {"result": f"分析: {x['clean']}"})
workflow.chain("清洗器", "分析器")


# 2. Conditions, node options and the run context.
def 审核(inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
    return {"ok": len(inputs["text"]) > 5, "审核超步": context["superstep"]}


async def 发布(inputs: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(0)
    return {"url": "https://example.com/1"}


发布流程 = Workflow("发布流程", {"text": "一篇足够长的文章内容"})
发布流程.add_node("审核", 审核, config=NodeConfig(retry_count=2, timeout=5))
发布流程.add_node("发布", 发布)
发布流程.add_edge("审核", "发布", condition=lambda out: out["ok"])


# 3. A graph of `Node`s, a custom node, run by an engine.
class 平方(Node):
    """A custom node: override `execute`."""

    def execute(self, inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
        return {"squared": inputs["value"] ** 2}


nodes = [
    Node("start", lambda x: {"value": x["value"] + 1}),
    Node("加倍", lambda x: {"doubled": x["value"] * 2}),
    平方("平方"),
]
edges = [Edge("start", "加倍"), Edge("start", "平方")]
graph = Graph("并行处理", nodes, edges, "start")


class 计时引擎(ExecutionEngine):
    """A custom engine: runs the plan and reports how long it took."""

    async def execute_async(self) -> State:
        result = await self.run_plan()
        print(f"{self.graph.name}: {result.supersteps} 个超步，{result.duration * 1000:.1f} ms")
        return result.final_state


def main() -> None:
    result = workflow.run()
    print(result.final_state.to_dict())
    # {'data': '  原始数据  ', 'clean': '原始数据', 'result': '分析: 原始数据'}

    for event in 发布流程.stream():
        if isinstance(event, SuperStepEvent):
            print(f"超步 {event.superstep}：完成 {list(event.completed_nodes)}")

    state = PregelEngine(graph, {"value": 10}).execute()
    print(state.to_dict())  # {'value': 11, 'doubled': 22, 'squared': 121}
    计时引擎(graph, {"value": 1}).execute()


if __name__ == "__main__":
    main()
