"""A flow used as a node of another flow: a nested Pregel run inside the parent's call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.context import Context, run_of
from ..plan import Plan
from .options import RunOptions
from .runner import PregelRunner

__all__ = ["run_nested"]


async def run_nested(plan: Plan, options: RunOptions | None, ctx: Context,
                     inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Run `plan` with `inputs` as part of the parent run `ctx` belongs to: same thread,
    same dependencies, the parent's listeners see its events. Returns its outputs."""
    parent = run_of(ctx)
    nested = (options or RunOptions()).merged(thread_id=parent.thread_id, context=parent.deps)
    result = await PregelRunner(plan, nested).run(inputs, listeners=parent.bus.listeners,
                                                  parent=ctx)
    return dict(result.output)
