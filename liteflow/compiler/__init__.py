"""Declarations → checked graph → `Plan`.

The compiler is a sequence of passes over one networkx graph. Each pass reads the
`CompileContext` and reports diagnostics; structural errors stop before the plan is
assembled, since a plan of a broken graph would mean nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.errors import FlowCompileError
from ..definitions.decl import FlowDecl
from ..plan import Plan
from .build import CompileContext, build_graph
from .diagnostics import CODES, Diagnostic, collect_mode, collecting
from .structure import check_cycles, check_reachability, check_signatures

__all__ = ["CODES", "PASSES", "Diagnostic", "collect_mode", "compile_decl", "compile_flow"]

Pass = Callable[[CompileContext], None]

# Order matters only in that later passes may assume earlier ones found no error.
PASSES: Sequence[Pass] = (check_signatures, check_reachability, check_cycles)


def compile_decl(decl: FlowDecl) -> tuple[Plan | None, list[Diagnostic]]:
    """Run every pass; the plan is None when an error was found."""
    from .assemble import assemble_plan

    ctx = build_graph(decl)
    for check in PASSES:
        check(ctx)
    if ctx.has_errors:
        return None, ctx.diagnostics
    return assemble_plan(ctx), ctx.diagnostics


def compile_flow(decl: FlowDecl) -> tuple[Plan | None, list[Diagnostic]]:
    """Compile, raising `FlowCompileError` on errors unless `liteflow check` is collecting."""
    plan, diagnostics = compile_decl(decl)
    if plan is None and not collecting():
        raise FlowCompileError(decl.name, [d for d in diagnostics if d.severity == "error"])
    return plan, diagnostics
