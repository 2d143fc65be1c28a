"""`Node`, `Edge`, `Graph`, `PregelEngine` and custom nodes and engines."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from liteflow import EventLoopError, FlowDefinitionError, NodeConfig, SuperStepEvent
from liteflow.definitions import Edge, Graph, Node
from liteflow.engine import ExecutionEngine, PregelEngine, State


def _parallel_graph() -> Graph:
    nodes = [
        Node("start", lambda x: {"value": x["value"] + 1}),
        Node("加倍", lambda x: {"doubled": x["value"] * 2}),
        Node("平方", lambda x: {"squared": x["value"] ** 2}),
    ]
    edges = [Edge("start", "加倍"), Edge("start", "平方")]
    return Graph("并行处理", nodes, edges, "start")


def test_the_design_documents_graph_example() -> None:
    engine = PregelEngine(_parallel_graph(), {"value": 10})
    state = engine.execute()
    assert isinstance(state, State)
    assert state.to_dict() == {"value": 11, "doubled": 22, "squared": 121}
    assert engine.result is not None and engine.result.supersteps == 2


async def test_execute_async() -> None:
    state = await PregelEngine(_parallel_graph(), {"value": 1}).execute_async()
    assert state["squared"] == 4
    with pytest.raises(EventLoopError, match="execute_async"):
        PregelEngine(_parallel_graph(), {"value": 1}).execute()


def test_a_graph_is_a_reusable_value_compiled_once() -> None:
    graph = _parallel_graph()
    assert graph.plan is graph.plan
    assert PregelEngine(graph, {"value": 0}).execute()["doubled"] == 2
    assert PregelEngine(graph, {"value": 1}).execute()["doubled"] == 4


def test_entries_default_to_nodes_without_predecessors() -> None:
    graph = Graph("无起点", [Node("a", lambda s: {"a": 1}), Node("b", lambda s: {"b": 2}),
                            Node("c", lambda s: {"c": s["a"] + s["b"]})],
                  [Edge("a", "c"), Edge("b", "c")])
    assert PregelEngine(graph).execute()["c"] == 3


class 乘法(Node):
    """A custom sync node with its own state."""

    def __init__(self, node_id: str, factor: int) -> None:
        super().__init__(node_id, config=NodeConfig(metadata={"factor": factor}))
        self.factor = factor

    def execute(self, inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
        return {f"x{self.factor}": inputs["value"] * self.factor, "by": context["node"]}


class 异步查询(Node):
    """A custom async node."""

    async def execute(self, inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"查询": f"第{context['superstep']}步"}


class 包装(Node):
    """A custom node around an executor, calling the default `execute`."""

    def execute(self, inputs: dict[str, Any], **context: Any) -> Any:
        out = super().execute(inputs, **context)
        return {k: v * 10 for k, v in out.items()}  # type: ignore[union-attr]


def test_custom_nodes_override_execute_sync_or_async() -> None:
    graph = Graph("自定义", [Node("start", lambda s: None), 乘法("乘三", 3), 异步查询("查询"),
                             包装("包装", lambda s: {"w": s["value"]})],
                  [Edge("start", "乘三"), Edge("start", "查询"), Edge("查询", "包装")], "start")
    state = PregelEngine(graph, {"value": 2}).execute()
    assert state["x3"] == 6 and state["by"] == "乘三"
    assert state["查询"] == "第2步"
    assert state["w"] == 20
    assert graph.plan.node("乘三").metadata == {"factor": 3}


class 计时引擎(ExecutionEngine):
    """A custom engine: wraps the standard run and records what happened."""

    log: list[str]

    async def execute_async(self) -> State:
        self.log = []
        result = await self.run_plan()
        self.log.append(f"{self.graph.name}:{result.supersteps}")
        return result.final_state


class 空引擎(ExecutionEngine):
    """A custom engine that runs nothing at all."""

    async def execute_async(self) -> State:
        return State(dict(self.initial_state))


def test_custom_engines_implement_execute_async() -> None:
    engine = 计时引擎(_parallel_graph(), {"value": 3})
    assert engine.execute()["squared"] == 16
    assert engine.log == ["并行处理:2"]
    assert 空引擎(_parallel_graph(), {"value": 3}).execute().to_dict() == {"value": 3}
    with pytest.raises(TypeError):
        ExecutionEngine(_parallel_graph())  # type: ignore[abstract]


def test_engine_options_reach_the_run() -> None:
    seen: list[int] = []

    def listen(event: object) -> None:
        if isinstance(event, SuperStepEvent):
            seen.append(event.superstep)

    graph = Graph("依赖", [Node("读", lambda s, deps: {"db": deps["db"]})])
    state = PregelEngine(graph, context={"db": "连接"}, on_event=listen).execute()
    assert state["db"] == "连接" and seen == [1]


def test_node_arguments_are_checked_where_written() -> None:
    with pytest.raises(FlowDefinitionError, match="non-empty string"):
        Node("", lambda s: {})
    with pytest.raises(FlowDefinitionError, match="nothing to run"):
        Node("空")
    with pytest.raises(FlowDefinitionError, match="callable"):
        Node("数字", 42)  # type: ignore[arg-type]
    with pytest.raises(FlowDefinitionError, match="callable"):
        Edge("a", "b", condition="真")  # type: ignore[arg-type]
