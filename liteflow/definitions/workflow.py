"""`Workflow`: the design document's imperative builder.

    workflow = Workflow("数据分析", {"data": "  原始数据  "})
    workflow.add_node("清洗器", lambda x: {"clean": x["data"].strip()})
    workflow.add_node("分析器", lambda x: {"result": f"分析: {x['clean']}"})
    workflow.chain("清洗器", "分析器")
    workflow.run().final_state.to_dict()

It builds a `Graph`, compiled by the same compiler into the same `Plan` as `@flow`, and
runs on the same runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import itertools
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self

from ..core.errors import EventLoopError, FlowDefinitionError
from ..core.events import Event, EventListener, RunFinished
from ..plan import Plan
from .config import NodeConfig
from .graph import Edge, Graph, Node, NodeExecutor, node_name
from .wiring import Wirable, user_site

if TYPE_CHECKING:
    from ..core.diagnostics import Diagnostic
    from ..engine.executor import Executor
    from ..engine.result import RunResult
    from ..engine.runner import RunOptions

__all__ = ["Workflow"]


class Workflow:
    """A workflow built step by step: nodes, edges, an entry, an initial state.

    Compile errors (an edge naming an unknown node, a duplicate name, …) raise
    `FlowCompileError` when the workflow is first compiled or run. A builder workflow
    declares no output keys, so `RunResult.output` is its whole final state.
    """

    def __init__(self, name: str, initial_state: Mapping[str, Any] | None = None, *,
                 max_supersteps: int = 100) -> None:
        self.name = name
        self.initial_state: dict[str, Any] = dict(initial_state or {})
        self.max_supersteps = max_supersteps
        self._nodes: list[Node] = []
        self._edges: list[Edge] = []
        self._entries: list[str] = []
        self._options: RunOptions | None = None
        self._graph: Graph | None = None
        self.site = user_site()

    # -- building --------------------------------------------------------------------

    def add_node(self, name: str | Node | Wirable, fn: NodeExecutor | Wirable | None = None,
                 config: NodeConfig | None = None) -> Self:
        """Add a node: `add_node("名字", fn)`, `add_node(Node(...))` or `add_node(@node对象)`.

        `fn(inputs)` / `fn(inputs, **context)` returns a dict of writes; `config` sets
        retries, timeout, fallback (see `NodeConfig`).
        """
        if isinstance(name, Node):
            item = name
        elif isinstance(name, Wirable):
            item = Node(name.spec.name, name, config)
        else:
            if fn is None:
                raise FlowDefinitionError("builder.no_executor", node=name)
            if not callable(fn):
                raise FlowDefinitionError("error.not_callable", what="add_node", value=repr(fn))
            item = Node(name, fn, config)
        self._nodes.append(item)
        self._graph = None
        return self

    def add_edge(self, src: str | Node | Wirable, dst: str | Node | Wirable,
                 condition: Callable[..., Any] | None = None) -> Self:
        """`src` → `dst`, only when `condition(outputs)` / `condition(outputs, state)` is true.

        Nodes are named by string, or by the `Node` / `@node` object itself.
        """
        self._edges.append(Edge(node_name(src), node_name(dst), condition, site=user_site()))
        self._graph = None
        return self

    def chain(self, *names: str | Node | Wirable) -> Self:
        """Connect the nodes one after the other: `chain("a", "b", "c")`."""
        site = user_site()
        for src, dst in itertools.pairwise(node_name(name) for name in names):
            self._edges.append(Edge(src, dst, site=site))
        self._graph = None
        return self

    def set_entry(self, *names: str | Node | Wirable) -> Self:
        """The node(s) the run starts from (default: the first node added)."""
        self._entries = [node_name(name) for name in names]
        self._graph = None
        return self

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(self._nodes)

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(self._edges)

    @property
    def entries(self) -> tuple[str, ...]:
        """The entry nodes: those given to `set_entry`, else the first node added."""
        if self._entries:
            return tuple(self._entries)
        return (self._nodes[0].node_id,) if self._nodes else ()

    # -- compiling -------------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        """The workflow as it stands, as a `Graph` (rebuilt after each change)."""
        if self._graph is None:
            self._graph = Graph(self.name, self._nodes, self._edges, self.entries,
                                max_supersteps=self.max_supersteps,
                                inputs=self.initial_state, site=self.site)
        return self._graph

    @property
    def plan(self) -> Plan:
        """The compiled plan; raises `FlowCompileError` on errors."""
        return self.graph.plan

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything the compiler found (errors and warnings), without raising."""
        return self.graph.diagnostics

    def to_mermaid(self) -> str:
        return self.graph.to_mermaid()

    def to_dot(self) -> str:
        return self.graph.to_dot()

    # -- running ---------------------------------------------------------------------

    def with_options(
        self,
        *,
        thread_id: str | None = None,
        checkpointer: Any = None,
        executor: Executor | None = None,
        context: Mapping[str, Any] | None = None,
        max_supersteps: int | None = None,
        on_event: EventListener | None = None,
        language: str | None = None,
    ) -> Workflow:
        """A copy of this workflow that runs with these options (unset ones are kept)."""
        from ..engine.runner import RunOptions

        clone = copy.copy(self)
        clone._nodes = list(self._nodes)
        clone._edges = list(self._edges)
        clone._entries = list(self._entries)
        clone._options = (self._options or RunOptions()).merged(
            thread_id=thread_id, checkpointer=checkpointer, executor=executor, context=context,
            max_supersteps=max_supersteps, on_event=on_event, language=language)
        return clone

    def run(self, state: Mapping[str, Any] | None = None, /,
            **updates: Any) -> RunResult[dict[str, Any]]:
        """Run to completion from the initial state (updated with `state` and `updates`)."""
        from ..engine.loop import run_plan

        _no_running_loop(self.name, "run", "arun")
        return _state_as_output(run_plan(self.plan, self._options, self._inputs(state, updates)))

    async def arun(self, state: Mapping[str, Any] | None = None, /,
                   **updates: Any) -> RunResult[dict[str, Any]]:
        """Async version of `run`."""
        from ..engine.runner import PregelRunner

        result = await PregelRunner(self.plan, self._options).run(self._inputs(state, updates))
        return _state_as_output(result)

    def stream(self, state: Mapping[str, Any] | None = None, /,
               **updates: Any) -> Iterator[Event]:
        """Yield the run's events as they happen (one `SuperStepEvent` per superstep);
        the last one is `RunFinished`."""
        from ..engine.stream import iterate_events

        _no_running_loop(self.name, "stream", "astream")
        yield from iterate_events(self.astream(state, **updates))

    async def astream(self, state: Mapping[str, Any] | None = None, /,
                      **updates: Any) -> AsyncGenerator[Event, None]:
        """Async version of `stream`."""
        from ..engine.stream import stream_run

        inputs = self._inputs(state, updates)
        async with contextlib.aclosing(stream_run(self.plan, self._options, inputs)) as events:
            async for event in events:
                if isinstance(event, RunFinished):
                    event = dataclasses.replace(event, result=_state_as_output(event.result))
                yield event

    def _inputs(self, state: Mapping[str, Any] | None,
                updates: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.initial_state, **(state or {}), **updates}

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, nodes={[n.node_id for n in self._nodes]})"


def _state_as_output(result: RunResult[Any]) -> RunResult[dict[str, Any]]:
    return dataclasses.replace(result, output=result.final_state.to_dict())


def _no_running_loop(name: str, sync_name: str, async_name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise EventLoopError(flow=name, method=sync_name, async_method=async_name)
