"""How the sync entry points (`run`, `stream`, `execute`) drive a run.

A plan of simple sync nodes needs no event loop at all: it runs in the calling thread
(`PregelRunner.run_blocking`). Anything else gets a private event loop, uvloop's where it
is installed (its timers and callbacks cost a fraction of the pure-Python ones), unless
the application installed an event loop policy of its own or `LITEFLOW_EVENT_LOOP`
says `asyncio`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.errors import EventLoopError
from ..core.result import NOTHING
from .runner import PregelRunner

if TYPE_CHECKING:
    from ..core.result import RunResult
    from ..plan import Plan
    from .options import RunOptions

__all__ = ["arun_plan", "loop_factory", "new_event_loop", "no_running_loop", "run_coroutine",
           "run_plan"]

T = TypeVar("T")

#: Environment variable choosing the loop of the sync entry points: `auto` (the default:
#: uvloop when installed), `uvloop` or `asyncio`.
ENV = "LITEFLOW_EVENT_LOOP"


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The factory of the private loops, or None for asyncio's policy (the default)."""
    value = os.environ.get(ENV, "")
    choice = value.strip().lower() or "auto"
    if choice not in ("auto", "uvloop", "asyncio"):
        raise EventLoopError("error.event_loop_choice", variable=ENV, value=value)
    if choice == "asyncio":
        return None
    if choice == "auto" and type(asyncio.get_event_loop_policy()) is not _DEFAULT_POLICY:
        return None  # the application chose its loops; so be it
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise EventLoopError("error.event_loop_choice", variable=ENV, value=value) from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def no_running_loop(name: str, method: str, async_method: str) -> None:
    """The one guard of the sync entry points: inside a running loop, say what to await."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise EventLoopError(flow=name, method=method, async_method=async_method)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A fresh private loop from `loop_factory`."""
    factory = loop_factory()
    return factory() if factory is not None else asyncio.new_event_loop()


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a loop from `loop_factory`."""
    try:
        factory = loop_factory()
    except BaseException:
        coro.close()
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


def run_plan(plan: Plan, options: RunOptions | None, inputs: Mapping[str, Any] | None, *,
             resume: bool = False, allow_code_change: bool = False,
             value: Any = NOTHING) -> RunResult[Any]:
    """Run (or `resume`) `plan` from sync code: in this thread when it can, else on a
    private loop."""
    runner = PregelRunner(plan, options)
    if runner.runs_without_loop:
        return runner.run_blocking(inputs, resume=resume, allow_code_change=allow_code_change,
                                   value=value)
    return run_coroutine(runner.run(inputs, resume=resume, allow_code_change=allow_code_change,
                                    value=value, exclusive=True))


async def arun_plan(plan: Plan, options: RunOptions | None,
                    inputs: Mapping[str, Any] | None) -> RunResult[Any]:
    """`await` a run of `plan` without ever running a sync node on the caller's loop.

    A plan of simple sync nodes needs no loop: it runs on one worker thread as a whole
    (one thread hop for the run, not one per superstep) while the caller's loop stays
    free. Cancelling the caller stops it before its next superstep.
    """
    runner = PregelRunner(plan, options)
    if not runner.runs_without_loop:
        return await runner.run(inputs)
    stop = threading.Event()
    call = functools.partial(runner.run_blocking, inputs, stop=stop)
    loop = asyncio.get_running_loop()
    done = loop.run_in_executor(None, contextvars.copy_context().run, call)
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        stop.set()
        # The run's own outcome (its CancelledError) is of no interest any more.
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        raise


_DEFAULT_POLICY = asyncio.DefaultEventLoopPolicy
