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

import copy
import dataclasses
import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self

from ..core.errors import FlowDefinitionError, FlowInputError
from ..plan import Plan
from ._runnable import Runnable
from .config import NodeConfig
from .graph import Edge, Graph, Node, NodeExecutor, node_name
from .wiring import START, Wirable, _Terminal, user_site

if TYPE_CHECKING:
    from ..core.diagnostics import Diagnostic
    from ..core.result import RunResult
    from ..engine.options import RunOptions
    from .decl import FlowDecl

__all__ = ["Workflow"]


class Workflow(Runnable[..., dict[str, Any]]):
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

    def add_edge(self, src: str | Node | Wirable | _Terminal, dst: str | Node | Wirable,
                 condition: Callable[..., Any] | None = None) -> Self:
        """`src` → `dst`, only when `condition(outputs)` / `condition(outputs, state)` is true.

        Nodes are named by string, or by the `Node` / `@node` object itself. From `START`,
        `dst` is an entry: with a condition, one that sees the initial state.
        """
        source: str | _Terminal
        if isinstance(src, _Terminal):
            if src is not START:
                raise FlowDefinitionError("error.wiring_from_end")
            source = START
        else:
            source = node_name(src)
        self._edges.append(Edge(source, node_name(dst), condition, site=user_site()))
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
        """The entry nodes: those given to `set_entry`, else (without edges from START) the
        first node added."""
        if self._entries:
            return tuple(self._entries)
        if any(edge.src is START for edge in self._edges):
            return ()
        return (self._nodes[0].node_id,) if self._nodes else ()

    # -- compiling -------------------------------------------------------------------

    def as_graph(self) -> Graph:
        """The workflow as it stands, as a builder `Graph` (rebuilt after each change)."""
        if self._graph is None:
            self._graph = Graph(self.name, self._nodes, self._edges, self.entries,
                                max_supersteps=self.max_supersteps,
                                inputs=self.initial_state, site=self.site)
        return self._graph

    @property
    def plan(self) -> Plan:
        """The compiled plan; raises `FlowCompileError` on errors."""
        return self.as_graph().plan

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything the compiler found (errors and warnings), without raising."""
        return self.as_graph().diagnostics

    def _declaration(self) -> FlowDecl:
        return self.as_graph()._declaration()

    # -- the run surface's hooks -------------------------------------------------------
    # `run(state=None, /, **updates)`: the initial state, updated with `state` and `updates`.

    def _configured(self, options: RunOptions) -> Workflow:
        clone = copy.copy(self)
        clone._nodes = list(self._nodes)
        clone._edges = list(self._edges)
        clone._entries = list(self._entries)
        clone._options = options
        return clone

    def _inputs(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        if len(args) > 1:
            raise FlowInputError("error.flow_too_many_args", flow=self.name, count=len(args),
                                 expected=1)
        state: Mapping[str, Any] = args[0] if args and args[0] is not None else {}
        return {**self.initial_state, **state, **kwargs}

    def _result(self, result: RunResult[Any]) -> RunResult[dict[str, Any]]:
        # A builder workflow declares no output keys: its output is the whole final state.
        return dataclasses.replace(result, output=result.final_state.to_dict())

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, nodes={[n.node_id for n in self._nodes]})"

