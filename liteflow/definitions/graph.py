"""The builder's values: `Node`, `Edge` and `Graph`.

A `Graph` becomes a `FlowDecl` — the same declaration a traced `@flow` produces — and
is compiled by the same compiler into the same `Plan`. Mistakes only a builder can
make (an edge naming an unknown node, two nodes with one name, no entry) are reported
by the compiler (LF201, LF202) in the builder's wording.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from ..core.errors import FlowCompileError, FlowDefinitionError
from ..plan import Plan
from ._adapt import CONTEXT_PARAM, adapt, adapt_fallback, call_shape, is_async_callable
from ._runnable import Drawable
from .config import NodeConfig
from .decl import FlowDecl
from .spec import InputSpec, NodeSpec, source_of
from .wiring import START, EdgeDecl, EdgeKind, Wirable, _Terminal, user_site

if TYPE_CHECKING:
    from ..core.diagnostics import Diagnostic

__all__ = ["Edge", "Graph", "Node", "NodeExecutor", "NodeResult"]

NodeResult: TypeAlias = Mapping[str, Any] | None
# `fn(inputs)` or `fn(inputs, **context)`, sync or async, returning a dict of writes.
NodeExecutor: TypeAlias = Callable[..., Any]
Site = tuple[str, int]

class Node:
    """A builder node: a name and what to run.

    `executor` is `fn(inputs)` or `fn(inputs, **context)` (sync or async; `inputs` is
    the state at the start of the superstep, as a dict) returning a dict of writes —
    or a `@node`/`@flow` object, which keeps its typed behaviour. Context keywords:
    `context`, `flow`, `node`, `superstep`, `attempt`, `run_id`, `thread_id`, `deps`;
    a function gets those it names, or all of them with `**context`.

    Custom nodes subclass `Node` and override `execute` (sync or `async def`)::

        class 加倍(Node):
            def execute(self, inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
                return {"doubled": inputs["value"] * 2}

        加倍("加倍")
    """

    def __init__(self, node_id: str, executor: NodeExecutor | Wirable | None = None,
                 config: NodeConfig | None = None) -> None:
        if not isinstance(node_id, str) or not node_id:
            raise FlowDefinitionError("builder.bad_name", value=repr(node_id))
        overridden = type(self).execute is not Node.execute
        if executor is None and not overridden:
            raise FlowDefinitionError("builder.no_executor", node=node_id)
        if executor is not None and not callable(executor):
            raise FlowDefinitionError("error.not_callable", what="Node", value=repr(executor))
        self.node_id = node_id
        self.executor = executor
        self.config = config
        self.site = user_site()
        # How `execute` calls a plain executor, read once here, not at every call.
        self._shape = (call_shape(executor, node_id)[0]
                       if executor is not None and not isinstance(executor, Wirable) else None)

    @property
    def name(self) -> str:
        return self.node_id

    def execute(self, inputs: dict[str, Any], **context: Any
                ) -> NodeResult | Awaitable[NodeResult]:
        """Run the node on `inputs`; the default calls `executor`.

        Overrides receive the context keywords listed in the class docstring.
        """
        executor = self.executor
        if executor is None:
            raise FlowDefinitionError("builder.no_executor", node=self.node_id)
        if isinstance(executor, Wirable):
            result: NodeResult | Awaitable[NodeResult] = executor.spec.fn(
                **{k: inputs[k] for k in executor.spec.input_names if k in inputs})
            return result
        shape = self._shape or call_shape(executor, self.node_id)[0]
        wanted = {k: v for k, v in context.items() if k in shape.context_keys}
        if shape.takes_inputs:
            result = executor(inputs, **wanted)
        else:
            result = executor(**wanted)
        return result

    def to_spec(self) -> NodeSpec:
        """This node as the compiler's `NodeSpec` (read once per compile)."""
        overridden = type(self).execute is not Node.execute
        executor = self.executor
        if isinstance(executor, Wirable) and not overridden:
            spec = executor.spec
            config = spec.config if self.config is None else dataclasses.replace(
                self.config, name=self.node_id)
            return dataclasses.replace(spec, name=self.node_id, config=config)
        target: Callable[..., Any] = self.execute if overridden or executor is None else executor
        shape, problems = call_shape(target, self.node_id)
        is_async = is_async_callable(target)
        config = self.config or NodeConfig()
        if config.fallback is not None:
            config = dataclasses.replace(config, fallback=adapt_fallback(config.fallback))
        config = dataclasses.replace(config, name=self.node_id)
        file, line = source_of(target)
        if file == "<unknown>":
            file, line = self.site
        return NodeSpec(
            name=self.node_id,
            fn=adapt(target, shape, is_async),
            is_async=is_async,
            inputs=(),
            outputs=(),
            context_param=CONTEXT_PARAM if shape.context_keys else None,
            config=config,
            file=file,
            line=line,
            kind="builder",
            problems=tuple(problems),
            takes_state=True,
            open_outputs=True,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.node_id!r})"


@dataclass(frozen=True, slots=True)
class Edge:
    """`src` → `dst`; with `condition(outputs)` or `condition(outputs, state)` only when true.

    `outputs` is what `src` returned; `state` the state after the superstep's merge.
    From `START`, `dst` is an entry; with a condition, one that sees the initial state
    (as `outputs` and as `state`).
    """

    src: str | _Terminal
    dst: str
    condition: Callable[..., Any] | None = None
    site: Site = field(default=("<unknown>", 0), compare=False, repr=False)

    def __post_init__(self) -> None:
        for end in ("src", "dst"):
            value = getattr(self, end)
            if not (end == "src" and value is START):
                object.__setattr__(self, end, node_name(value))
        if self.condition is not None and not callable(self.condition):
            raise FlowDefinitionError("error.not_callable", what="Edge",
                                      value=repr(self.condition))
        if self.site == ("<unknown>", 0):
            object.__setattr__(self, "site", user_site())


def node_name(item: str | Node | Wirable) -> str:
    """The node name of a string, a `Node` or a `@node`/`@flow` object."""
    if isinstance(item, Node):
        return item.node_id
    if isinstance(item, Wirable):
        return item.spec.name
    return item


class Graph(Drawable):
    """A named set of nodes and edges with its entry: what engines run.

    `start` names the entry node (or several); without it, the entries are the nodes
    that no edge leads to. `inputs` lists keys every run's initial state holds (so the
    compiler knows typed `@node`s can read them). `Graph("并行处理", nodes, edges, "start")`.
    """

    def __init__(self, name: str, nodes: Iterable[Node], edges: Iterable[Edge] = (),
                 start: str | Sequence[str] | None = None, *, max_supersteps: int = 100,
                 inputs: Iterable[str] = (), site: Site | None = None) -> None:
        if max_supersteps < 1:
            raise FlowDefinitionError("error.config_value", option="max_supersteps",
                                      value=max_supersteps)
        self.name = name
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.edges: tuple[Edge, ...] = tuple(edges)
        if start is None:
            self.entries: tuple[str, ...] = ()
        elif isinstance(start, str):
            self.entries = (start,)
        else:
            self.entries = tuple(node_name(name) for name in start)
        self.max_supersteps = max_supersteps
        self.inputs: tuple[str, ...] = tuple(inputs)
        self.site = site or user_site()
        self._compiled: tuple[Plan | None, tuple[Diagnostic, ...]] | None = None

    # -- compiling -------------------------------------------------------------------

    def compile(self) -> tuple[Plan | None, tuple[Diagnostic, ...]]:
        """Compile once (cached), never raising: the plan (None on errors) and diagnostics."""
        if self._compiled is None:
            from ..compiler import compile_decl

            plan, diagnostics = compile_decl(self._declare())
            self._compiled = (plan, tuple(diagnostics))
        return self._compiled

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything the compiler found (errors and warnings)."""
        return self.compile()[1]

    @property
    def plan(self) -> Plan:
        """The compiled plan; raises `FlowCompileError` (LF201, LF202, …) on errors."""
        plan, diagnostics = self.compile()
        if plan is None:
            raise FlowCompileError(self.name, [d for d in diagnostics if d.severity == "error"])
        return plan

    def _declaration(self) -> FlowDecl:
        return self._declare()

    def _declare(self) -> FlowDecl:
        """The `FlowDecl` of this graph. Nothing is judged here: the compiler reports
        duplicate names, edges and entries naming unknown nodes, and a missing entry."""
        specs: dict[str, NodeSpec] = {}
        nodes = []
        for item in self.nodes:
            spec = item.to_spec()
            specs.setdefault(spec.name, spec)
            nodes.append(spec)
        edges: list[EdgeDecl] = []
        entries = [specs[name] for name in self.entries if name in specs]
        entry_edges: list[EdgeDecl] = []
        unknown_entries = [name for name in self.entries if name not in specs]
        unknown: list[tuple[str, str, str, int]] = []
        for edge in self.edges:
            if edge.src is START:  # an entry, maybe conditional
                if edge.dst not in specs:
                    unknown_entries.append(edge.dst)
                elif edge.condition is None:
                    entries.append(specs[edge.dst])
                else:
                    entry_edges.append(EdgeDecl(kind="when", sources=(),
                                                targets=(specs[edge.dst],), file=edge.site[0],
                                                line=edge.site[1], condition=edge.condition))
                continue
            assert isinstance(edge.src, str)
            if edge.src not in specs or edge.dst not in specs:
                unknown.append((edge.src, edge.dst, *edge.site))
                continue
            kind: EdgeKind = "plain" if edge.condition is None else "when"
            edges.append(EdgeDecl(kind=kind, sources=(specs[edge.src],),
                                  targets=(specs[edge.dst],), file=edge.site[0],
                                  line=edge.site[1], condition=edge.condition))
        return FlowDecl(
            name=self.name,
            file=self.site[0],
            line=self.site[1],
            inputs=tuple(InputSpec(name=key, hint=Any, required=True) for key in self.inputs),
            outputs=(),
            nodes=tuple(nodes),
            edges=tuple(edges),
            entries=tuple(entries),
            entry_edges=tuple(entry_edges),
            max_supersteps=self.max_supersteps,
            kind="builder",
            unknown_edges=tuple(unknown),
            unknown_entries=tuple(unknown_entries),
        )

    def __repr__(self) -> str:
        return f"Graph({self.name!r}, nodes={[n.node_id for n in self.nodes]})"
