"""`FlowDecl`: a traced flow (or a builder graph), the compiler's input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .spec import InputSpec, NodeSpec, OutputSpec, Problem
from .wiring import EdgeDecl

__all__ = ["FlowDecl"]


@dataclass(frozen=True, slots=True)
class FlowDecl:
    """Everything declared about a flow: its signature, its nodes and its wiring."""

    name: str
    file: str
    line: int
    inputs: tuple[InputSpec, ...]
    outputs: tuple[OutputSpec, ...]
    nodes: tuple[NodeSpec, ...]
    edges: tuple[EdgeDecl, ...]
    entries: tuple[NodeSpec, ...] = ()
    # Conditional edges from START (`START >> b.when(p)`, `START >> route(...)`): their
    # conditions see the flow's inputs; no sources.
    entry_edges: tuple[EdgeDecl, ...] = ()
    # worker node name -> (items key, item parameter)
    maps: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    state: tuple[OutputSpec, ...] = ()
    max_supersteps: int = 100
    check_types: bool = True
    version: str | None = None
    problems: tuple[Problem, ...] = ()
    # "builder": a `Workflow` or `Graph`, whose inputs come from its initial state (not a
    # signature) and whose mistakes are worded for the builder API.
    kind: Literal["flow", "builder"] = "flow"
    # Builder edges (source, target, file, line) and entries naming nodes the builder does
    # not have: the compiler reports them (LF201).
    unknown_edges: tuple[tuple[str, str, str, int], ...] = ()
    unknown_entries: tuple[str, ...] = ()
