"""Conditions and route selectors, checked against what the source node declares.

`.when(pred)` and `route(selector, ...)` receive the source node's outputs (and maybe
the state). Their bytecode tells which keys they read by subscript (`out["score"]`,
which fails when the key is absent, unlike `out.get("score")`) and which route keys
they return as constants. Reading a key the node does not declare is LF101; returning
a key the route does not list is LF201. Anything the bytecode does not show plainly
is left alone: these checks never guess.
"""

from __future__ import annotations

import dis
import inspect
from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import Any

from ..core.diagnostics import Phrase
from ..definitions.wiring import EdgeDecl
from .build import CompileContext, suggestion

__all__ = ["check_conditions", "returned_strings", "string_constants", "subscripted_keys"]

_JUMPS = frozenset({"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP", "JUMP_NO_INTERRUPT",
                    "JUMP_BACKWARD_NO_INTERRUPT"})


def _code(fn: Callable[..., Any]) -> CodeType | None:
    try:
        target = inspect.unwrap(fn)
    except ValueError:
        return None
    code = getattr(target, "__code__", None)
    return code if isinstance(code, CodeType) else None


@lru_cache(maxsize=512)
def _instructions(code: CodeType) -> tuple[dis.Instruction, ...]:
    return tuple(i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "NOP"))


def subscripted_keys(fn: Callable[..., Any], position: int) -> tuple[str, ...]:
    """Constant keys read as `param[key]` from the positional parameter at `position`."""
    code = _code(fn)
    if code is None or code.co_argcount <= position:
        return ()
    param = code.co_varnames[position]
    found: list[str] = []
    ops = _instructions(code)
    for first, second, third in zip(ops, ops[1:], ops[2:], strict=False):
        if (first.opname == "LOAD_FAST" and first.argval == param
                and second.opname == "LOAD_CONST" and isinstance(second.argval, str)
                and (third.opname == "BINARY_SUBSCR"
                     or (third.opname == "BINARY_OP" and third.argrepr == "[]"))):
            found.append(second.argval)
    return tuple(dict.fromkeys(found))


def returned_strings(fn: Callable[..., Any]) -> tuple[str, ...]:
    """String constants a function returns directly (`return "a"`, `return ["a", "b"]`)."""
    code = _code(fn)
    if code is None:
        return ()
    ops = _instructions(code)
    returns = {i.offset for i in ops if i.opname == "RETURN_VALUE"}
    found: list[str] = []
    for pos, ins in enumerate(ops):
        if ins.opname == "RETURN_CONST" and isinstance(ins.argval, str):
            found.append(ins.argval)
            continue
        nxt = ops[pos + 1] if pos + 1 < len(ops) else None
        if nxt is None:
            continue
        goes_back = nxt.opname == "RETURN_VALUE" or (
            nxt.opname in _JUMPS and nxt.argval in returns)
        if ins.opname == "LOAD_CONST" and goes_back:
            if isinstance(ins.argval, str):
                found.append(ins.argval)
        elif ins.opname == "BUILD_LIST" and goes_back and ins.arg:
            items = ops[pos - ins.arg:pos]
            if all(i.opname == "LOAD_CONST" and isinstance(i.argval, str) for i in items):
                found.extend(i.argval for i in items)
        elif ins.opname == "LIST_EXTEND" and goes_back and pos:
            const = ops[pos - 1]
            if const.opname == "LOAD_CONST" and isinstance(const.argval, tuple):
                found.extend(v for v in const.argval if isinstance(v, str))
    return tuple(dict.fromkeys(found))


def string_constants(fn: Callable[..., Any]) -> frozenset[str] | None:
    """Every string constant in a function's code (None: not Python code, could read anything)."""
    code = _code(fn)
    if code is None:
        return None
    found: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        for const in current.co_consts:
            if isinstance(const, str):
                found.add(const)
            elif isinstance(const, CodeType):
                stack.append(const)
            elif isinstance(const, tuple):
                found.update(v for v in const if isinstance(v, str))
    return frozenset(found)


def check_conditions(ctx: CompileContext) -> None:
    """LF101 for condition reads of undeclared outputs; LF201 for unknown route keys."""
    for edge in ctx.decl.edges:
        if edge.condition is None or edge.kind not in ("when", "route"):
            continue
        for source in edge.sources:
            spec = ctx.specs.get(source.name)
            if spec is None or spec.open_outputs or spec.problems:
                continue
            _check_reads(ctx, edge, spec.name)
        if edge.kind == "route":
            _check_returns(ctx, edge)
    for edge in ctx.decl.entry_edges:
        if edge.condition is None:
            continue
        if not ctx.builder:  # a builder's initial state may hold keys it does not list
            _check_entry_reads(ctx, edge)
        if edge.kind == "route":
            _check_returns(ctx, edge)


def _check_entry_reads(ctx: CompileContext, edge: EdgeDecl) -> None:
    """A condition after START sees the flow's inputs as its `outputs`."""
    assert edge.condition is not None
    inputs = [i.name for i in ctx.decl.inputs]
    what = Phrase("check.what_condition" if edge.kind == "when" else "check.what_selector")
    for key in subscripted_keys(edge.condition, 0):
        if key not in inputs:
            ctx.report_at_edge("LF101", "check.entry_condition_key", edge, key=key, what=what,
                               inputs=", ".join(inputs) or "-", hint=suggestion(key, inputs))


def _check_reads(ctx: CompileContext, edge: EdgeDecl, node: str) -> None:
    assert edge.condition is not None
    spec = ctx.specs[node]
    declared = {out.name: out for out in spec.outputs}
    what = Phrase("check.what_condition" if edge.kind == "when" else "check.what_selector")
    for key in subscripted_keys(edge.condition, 0):
        out = declared.get(key)
        if out is None:
            ctx.report_at_edge("LF101", "check.condition_key", edge, node=node, key=key,
                               what=what, outputs=", ".join(declared) or "-",
                               hint=suggestion(key, declared))
        elif not out.required:
            ctx.report_at_edge("LF101", "check.condition_key_optional", edge, node=node,
                               key=key, what=what)


def _check_returns(ctx: CompileContext, edge: EdgeDecl) -> None:
    assert edge.condition is not None
    keys = [key for key, _ in edge.route_map]
    for value in returned_strings(edge.condition):
        if value in keys:
            continue
        if edge.sources:
            ctx.report_at_edge("LF201", "check.unknown_route_key", edge,
                               node=edge.sources[0].name, key=value, options=", ".join(keys),
                               hint=suggestion(value, keys))
        else:  # a conditional entry
            ctx.report_at_edge("LF201", "check.unknown_entry_route_key", edge, key=value,
                               options=", ".join(keys), hint=suggestion(value, keys))


def condition_label(fn: Callable[..., Any] | None, limit: int = 40) -> str:
    """A short label for a condition: its function name, or a lambda's source text."""
    if fn is None:
        return ""
    name = getattr(fn, "__name__", "")
    if name and name != "<lambda>":
        return str(name)
    excerpt = _lambda_body(fn)
    if not excerpt:
        return "when"
    return excerpt if len(excerpt) <= limit else excerpt[: limit - 1] + "…"


def _lambda_body(fn: Callable[..., Any]) -> str:
    """The source of a lambda's body, from the positions its bytecode records."""
    import linecache

    code = _code(fn)
    if code is None:
        return ""
    # Zero-width positions belong to the implicit RESUME/RETURN, not to the body.
    spans: list[tuple[int, int, int, int]] = []
    for ins in _instructions(code):
        p = ins.positions
        if (p is None or p.lineno is None or p.end_lineno is None or p.col_offset is None
                or p.end_col_offset is None):
            continue
        if (p.lineno, p.col_offset) != (p.end_lineno, p.end_col_offset):
            spans.append((p.lineno, p.end_lineno, p.col_offset, p.end_col_offset))
    if not spans:
        return ""
    start = min((s[0], s[2]) for s in spans)
    end = max((s[1], s[3]) for s in spans)
    # Column offsets count UTF-8 bytes, so slice the encoded lines.
    lines = [linecache.getline(code.co_filename, n).encode()
             for n in range(start[0], end[0] + 1)]
    if not lines or not all(lines):
        return ""
    if len(lines) == 1:
        raw = lines[0][start[1]:end[1]]
    else:
        raw = b" ".join([lines[0][start[1]:], *lines[1:-1], lines[-1][:end[1]]])
    return " ".join(raw.decode(errors="replace").split())
