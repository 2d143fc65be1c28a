"""Builder node functions `fn(inputs, **context)` as runner-ready node functions.

The runner calls a builder node as `fn(state=<State>)` (plus the `Context` when the
node asked for one). How to call the user's function — with the inputs or without,
with which context keywords, awaited or not — is read once from its signature here,
so every call afterwards is a plain call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..core.context import Context
from .spec import Problem

__all__ = ["CONTEXT_KEYS", "CONTEXT_PARAM", "CallShape", "adapt", "adapt_fallback",
           "call_shape", "is_async_callable"]

# The keywords a builder node function may receive (all of them with `**context`).
CONTEXT_KEYS: Final = ("context", "flow", "node", "superstep", "attempt", "run_id",
                       "thread_id", "deps")
# The parameter through which the runner hands the adapter the node's `Context`.
CONTEXT_PARAM: Final = "_liteflow_context"


@dataclass(frozen=True, slots=True)
class CallShape:
    """How to call one builder function: with the inputs or not, and which context keywords."""

    takes_inputs: bool
    context_keys: tuple[str, ...]


def call_shape(fn: Callable[..., Any], node: str) -> tuple[CallShape, list[Problem]]:
    """Read how `fn` wants to be called; parameters it could never receive are problems."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: fn(inputs)
        return CallShape(True, ()), []
    empty = inspect.Parameter.empty
    problems: list[Problem] = []
    positional = [p for p in params
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_inputs = bool(positional) or any(p.kind is p.VAR_POSITIONAL for p in params)
    if any(p.kind is p.VAR_KEYWORD for p in params):
        keys: tuple[str, ...] = CONTEXT_KEYS
    else:
        rest = [p for p in params[1:] if p.kind is not p.VAR_POSITIONAL] if positional else [
            p for p in params if p.kind is p.KEYWORD_ONLY]
        keys = tuple(p.name for p in rest if p.name in CONTEXT_KEYS
                     and p.kind is not p.POSITIONAL_ONLY)
        for p in rest:
            if p.default is empty and (p.name not in CONTEXT_KEYS
                                       or p.kind is p.POSITIONAL_ONLY):
                problems.append(Problem("builder.bad_param", {
                    "node": node, "param": p.name, "keys": ", ".join(CONTEXT_KEYS)}))
    return CallShape(takes_inputs, keys), problems


def is_async_callable(fn: Callable[..., Any]) -> bool:
    """True for `async def` functions, bound async methods and objects with an async `__call__`."""
    if inspect.iscoroutinefunction(inspect.unwrap(fn)):
        return True
    method = getattr(type(fn), "__call__", None)  # noqa: B004 - the method, not callability
    return method is not None and inspect.iscoroutinefunction(method)


def _context_values(ctx: Context, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: ctx if key == "context" else getattr(ctx, key) for key in keys}


def adapt(fn: Callable[..., Any], shape: CallShape, is_async: bool) -> Callable[..., Any]:
    """A node function for the runner, `(state[, _liteflow_context])`, calling `fn`."""
    keys = shape.context_keys
    if shape.takes_inputs:
        def call(state: Any, ctx: Context | None) -> Any:
            if ctx is None:
                return fn(state.to_dict())
            return fn(state.to_dict(), **_context_values(ctx, keys))
    else:
        def call(state: Any, ctx: Context | None) -> Any:
            if ctx is None:
                return fn()
            return fn(**_context_values(ctx, keys))

    if is_async:
        if keys:
            async def run_async_ctx(state: Any, _liteflow_context: Context) -> Any:
                return await call(state, _liteflow_context)
            return run_async_ctx

        async def run_async(state: Any) -> Any:
            return await call(state, None)
        return run_async

    if keys:
        def run_ctx(state: Any, _liteflow_context: Context) -> Any:
            return call(state, _liteflow_context)
        return run_ctx

    def run(state: Any) -> Any:
        return call(state, None)
    return run


def adapt_fallback(fallback: Callable[..., Any]) -> Callable[..., Any]:
    """A builder fallback `fallback(inputs, error=exc)` in the runner's form `(state, error)`."""
    # Keyword-only catch-all: the runner passes `state=` and `error=`.
    if is_async_callable(fallback):
        async def run_async(**passed: Any) -> Any:
            return await fallback(passed["state"].to_dict(), error=passed["error"])
        return run_async

    def run(**passed: Any) -> Any:
        return fallback(passed["state"].to_dict(), error=passed["error"])
    return run
