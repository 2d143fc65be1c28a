"""The wiring DSL: `>>`, fan-out and join lists, `.when`, `route`, `each`, START, END.

A flow body is traced once: each `>>` records an `EdgeDecl` into the active
`Recorder`. Nothing here runs a node; the compiler turns the record into a plan.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from ..core.errors import FlowDefinitionError
from .spec import NodeSpec

__all__ = [
    "END",
    "START",
    "Conditional",
    "Each",
    "EdgeDecl",
    "EdgeKind",
    "Recorder",
    "Route",
    "Wirable",
    "each",
    "route",
]

EdgeKind = Literal["plain", "when", "route", "join"]


class _Terminal:
    """START and END: the entry marker and the sink."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __rshift__(self, other: Any) -> Any:
        if self is END:
            raise FlowDefinitionError("error.wiring_from_end")
        _enter(Recorder.active(), other)
        return _chain_result(other)

    def __reduce__(self) -> str:
        return self._name


START = _Terminal("START")
END = _Terminal("END")


@dataclass(slots=True, eq=False)
class EdgeDecl:
    """One declared edge (or, for joins and routes, one edge group); compared by identity."""

    kind: EdgeKind
    sources: tuple[NodeSpec, ...]
    targets: tuple[NodeSpec, ...]
    file: str
    line: int
    condition: Callable[..., Any] | None = None
    route_map: tuple[tuple[str, tuple[NodeSpec, ...]], ...] = ()


class Recorder:
    """Collects the nodes and edges declared while a flow body is traced."""

    def __init__(self, flow: str) -> None:
        self.flow = flow
        self.nodes: list[NodeSpec] = []
        self._seen: set[int] = set()
        self.edges: list[EdgeDecl] = []
        self.entries: list[NodeSpec] = []
        # `START >> b.when(p)`, `START >> route(...)`: edges whose source is START.
        self.entry_edges: list[EdgeDecl] = []
        # each(): worker spec id -> (items key, item parameter)
        self.maps: dict[int, tuple[str, str]] = {}

    @classmethod
    def active(cls) -> Recorder:
        recorder = _CURRENT.get()
        if recorder is None:
            raise FlowDefinitionError("error.wiring_outside_flow")
        return recorder

    def __enter__(self) -> Recorder:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)

    def add_node(self, spec: NodeSpec) -> None:
        if id(spec) not in self._seen:
            self._seen.add(id(spec))
            self.nodes.append(spec)

    def entry(self, target: NodeSpec) -> None:
        self.add_node(target)
        self.entries.append(target)

    def edge(self, kind: EdgeKind, sources: tuple[NodeSpec, ...], targets: tuple[NodeSpec, ...],
             condition: Callable[..., Any] | None = None,
             route_map: tuple[tuple[str, tuple[NodeSpec, ...]], ...] = ()) -> None:
        """Record an edge; a `.when` or `route` without `sources` is one from START."""
        seen = self._seen
        for group in (sources, targets):
            for spec in group:
                if id(spec) not in seen:  # add_node, inlined: it runs twice per `>>`
                    seen.add(id(spec))
                    self.nodes.append(spec)
        file, line = user_site()
        decl = EdgeDecl(kind=kind, sources=sources, targets=targets, file=file, line=line,
                        condition=condition, route_map=route_map)
        from_start = not sources and kind in ("when", "route")
        (self.entry_edges if from_start else self.edges).append(decl)

    def plain(self, source: NodeSpec, target: NodeSpec, file: str, line: int) -> None:
        """`edge("plain", ...)` for one source and one target, at a known site."""
        seen = self._seen
        if id(source) not in seen:
            seen.add(id(source))
            self.nodes.append(source)
        if id(target) not in seen:
            seen.add(id(target))
            self.nodes.append(target)
        self.edges.append(EdgeDecl(kind="plain", sources=(source,), targets=(target,), file=file,
                                   line=line))


_CURRENT: ContextVar[Recorder | None] = ContextVar("liteflow_recorder", default=None)

# Frames inside liteflow are skipped when looking for the line the user wrote.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_site() -> tuple[str, int]:
    """File and line of the innermost caller outside liteflow (where the user wrote it)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


class Wirable:
    """Mixin giving nodes and flows the wiring operators. Subclasses set `_spec`."""

    __slots__ = ()
    _spec: NodeSpec

    @property
    def spec(self) -> NodeSpec:
        """What the compiler knows of this node."""
        return self._spec

    def __rshift__(self, other: Any) -> Any:
        if isinstance(other, Wirable):  # `a >> b`, by far the most common: kept lean
            recorder = _CURRENT.get()
            if recorder is not None:
                frame = sys._getframe(1)
                code = frame.f_code
                if code.co_filename.startswith(_PACKAGE_DIR):
                    file, line = user_site()
                else:
                    file, line = code.co_filename, frame.f_lineno
                recorder.plain(self._spec, other._spec, file, line)
                return other
        _connect(self.spec, other)
        return _chain_result(other)

    def __rrshift__(self, other: Any) -> Any:
        # `[a, b] >> c`: a join (barrier).
        if isinstance(other, list | tuple):
            Recorder.active().edge("join", _sources(other), (self.spec,))
            return self
        return NotImplemented

    def when(self, condition: Callable[..., bool]) -> Conditional:
        """This node as the target of a conditional edge: `a >> b.when(pred)`.

        `pred(outputs)` or `pred(outputs, state)`, by its number of parameters.
        """
        if not callable(condition):
            raise FlowDefinitionError("error.not_callable", what="when", value=repr(condition))
        return Conditional(self, condition)


@dataclass(frozen=True, slots=True)
class Conditional:
    """`b.when(pred)`: the target of a conditional edge."""

    node: Wirable
    condition: Callable[..., bool]

    def __rshift__(self, other: Any) -> Any:
        return self.node >> other


@dataclass(frozen=True, slots=True)
class Route:
    """`route(selector, {"key": node, "other": END})`: a static set of possible targets."""

    selector: Callable[..., Any]
    targets: Mapping[str, Any]

    def __rshift__(self, other: Any) -> Any:
        raise FlowDefinitionError("error.wiring_from_route")


def route(selector: Callable[..., Any],
          targets: Mapping[str, Wirable | Each | _Terminal]) -> Route:
    """Route to the targets whose keys `selector(outputs[, state])` returns (a key or a list).

    A target is a node, `each(...)` (a map behind the condition) or END.
    """
    if not callable(selector):
        raise FlowDefinitionError("error.not_callable", what="route", value=repr(selector))
    for key, target in targets.items():
        if not (target is END or isinstance(target, Wirable | Each)):
            raise FlowDefinitionError("error.bad_route_target", key=key, value=repr(target))
    return Route(selector, dict(targets))


@dataclass(frozen=True, slots=True)
class Each:
    """`each("items", worker, item="x")`: run `worker` once per element of a state key."""

    items_key: str
    worker: Wirable
    item: str

    def __rshift__(self, other: Any) -> Any:
        return self.worker >> other

    def __rrshift__(self, other: Any) -> Any:
        if isinstance(other, list | tuple):
            _register_map(self)
            Recorder.active().edge("join", _sources(other), (self.worker.spec,))
            return self
        return NotImplemented


def each(items: str, worker: Wirable, *, item: str | None = None) -> Each:
    """Map `worker` over `state[items]` in one superstep, binding each element to `item`.

    Without `item`, the element goes to the worker's first parameter.
    """
    if not isinstance(worker, Wirable):
        raise FlowDefinitionError("error.not_a_node", value=repr(worker))
    spec = worker.spec
    if item is None:
        if not spec.inputs:
            raise FlowDefinitionError("error.each_no_item", node=spec.name, key=items)
        item = spec.inputs[0].name
    elif item not in spec.input_names:
        raise FlowDefinitionError("error.each_bad_item", node=spec.name, item=item,
                                  params=", ".join(spec.input_names) or "-")
    return Each(items, worker, item)


def _register_map(target: Each) -> None:
    recorder = Recorder.active()
    spec = target.worker.spec
    known = recorder.maps.get(id(spec))
    if known is not None and known != (target.items_key, target.item):
        raise FlowDefinitionError("error.each_twice", node=spec.name)
    recorder.maps[id(spec)] = (target.items_key, target.item)


def _connect(source: NodeSpec, other: Any) -> None:
    recorder = Recorder.active()
    if isinstance(other, Wirable):  # `a >> b`, by far the most common
        recorder.edge("plain", (source,), (other.spec,))
    elif isinstance(other, list | tuple):
        recorder.add_node(source)  # `a >> []` still declares `a`
        for item in other:
            _connect(source, item)
    elif isinstance(other, Conditional):
        recorder.edge("when", (source,), (other.node.spec,), condition=other.condition)
    elif isinstance(other, Route):
        _route_edge(recorder, (source,), other)
    elif isinstance(other, Each):
        _register_map(other)
        recorder.edge("plain", (source,), (other.worker.spec,))
    elif other is END:
        recorder.add_node(source)
    else:
        raise FlowDefinitionError("error.bad_wiring_target", node=source.name, value=repr(other))


def _route_edge(recorder: Recorder, sources: tuple[NodeSpec, ...], other: Route) -> None:
    """A route's edge group; `each(...)` targets map their worker."""
    mapping: list[tuple[str, tuple[NodeSpec, ...]]] = []
    for key, target in other.targets.items():
        if target is END:
            mapping.append((key, ()))
            continue
        if isinstance(target, Each):
            _register_map(target)
            target = target.worker
        mapping.append((key, (target.spec,)))
    targets = tuple(spec for _, specs in mapping for spec in specs)
    recorder.edge("route", sources, targets, condition=other.selector, route_map=tuple(mapping))


def _enter(recorder: Recorder, other: Any) -> None:
    """`START >> other`: entries, and conditional edges from START that see the inputs."""
    if isinstance(other, list | tuple):
        for item in other:
            _enter(recorder, item)
    elif isinstance(other, Wirable):
        recorder.entry(other.spec)
    elif isinstance(other, Each):
        _register_map(other)
        recorder.entry(other.worker.spec)
    elif isinstance(other, Conditional):
        recorder.edge("when", (), (other.node.spec,), condition=other.condition)
    elif isinstance(other, Route):
        _route_edge(recorder, (), other)
    else:
        raise FlowDefinitionError("error.bad_wiring_target", node="START", value=repr(other))


def _sources(items: Sequence[Any]) -> tuple[NodeSpec, ...]:
    specs = []
    for item in items:
        if isinstance(item, Wirable):
            specs.append(item.spec)
        elif isinstance(item, Each):
            specs.append(item.worker.spec)
        else:
            raise FlowDefinitionError("error.bad_join_source", value=repr(item))
    return tuple(specs)


def _chain_result(other: Any) -> Any:
    """What `a >> other` evaluates to, so that chains continue from `other`."""
    if isinstance(other, Wirable):
        return other
    if isinstance(other, Conditional):
        return other.node
    if isinstance(other, list | tuple):
        return [_chain_result(item) for item in other]
    return other
