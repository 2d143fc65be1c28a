"""How the sync entry points (`run`, `stream`, `execute`) drive a run.

A plan of simple sync nodes needs no event loop at all: it runs in the calling thread
(`PregelRunner.run_blocking`). Anything else gets a private event loop, uvloop's where it
is installed (its timers and callbacks cost a fraction of the pure-Python ones), unless
the application installed an event loop policy of its own or `LITEFLOW_EVENT_LOOP`
says `asyncio`.

A run never waits for work it gave up on: the private loops' default executor (what
`asyncio.to_thread` uses) is a `DaemonPool`, so a thread abandoned at a node's timeout or
at Ctrl-C keeps neither `run()` nor the interpreter's exit waiting. Ctrl-C stops a sync
run within moments and says which flow and superstep it stopped.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import signal
import threading
from collections.abc import Callable, Coroutine, Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.context import current_call
from ..core.errors import EventLoopError
from ..core.messages import text, use_language
from ..core.result import NOTHING
from .runner import PregelRunner
from .threads import DaemonPool, background

if TYPE_CHECKING:
    from ..core.result import RunResult
    from ..plan import Plan
    from .options import RunOptions

__all__ = ["arun_plan", "ctrl_c_stopped", "loop_factory", "new_event_loop", "no_running_loop",
           "run_coroutine", "run_plan", "run_until_stopped"]

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
    return _private(loop_factory())[0]


def _private(factory: Callable[[], asyncio.AbstractEventLoop] | None
             ) -> tuple[asyncio.AbstractEventLoop, DaemonPool]:
    """A loop from `factory` (None: asyncio's policy) and its default executor, which
    never waits for an abandoned call (a `to_thread` still running at a timeout)."""
    loop = factory() if factory is not None else asyncio.new_event_loop()
    pool = DaemonPool(thread_name_prefix="liteflow-loop")
    loop.set_default_executor(pool)
    return loop, pool


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a loop from `loop_factory`: the first Ctrl-C cancels `coro` and
    raises `KeyboardInterrupt` once it has stopped, a second one raises at once.

    Unlike `asyncio.run` it waits for no call of the loop's executor that was abandoned
    (and starts no thread to shut that executor down).
    """
    try:
        loop, pool = _private(loop_factory())
    except BaseException:
        coro.close()
        raise
    try:
        return run_until_stopped(loop, coro)
    finally:
        try:
            _cancel_all(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            pool.shutdown(wait=True)  # the calls nobody gave up on, as asyncio.run does
        finally:
            loop.close()


def run_until_stopped(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """`loop.run_until_complete(coro)`, where the first Ctrl-C cancels `coro` and raises
    `KeyboardInterrupt` once it has stopped (a second one raises at once)."""
    task = loop.create_task(coro, context=contextvars.copy_context())
    stopping = _StopOnSigint(loop, task)
    try:
        return loop.run_until_complete(task)
    except asyncio.CancelledError:
        if stopping.asked and task.uncancel() == 0:
            raise KeyboardInterrupt from None
        raise
    finally:
        stopping.restore()


class _StopOnSigint:
    """While a loop runs `task` in the main thread: the first SIGINT cancels `task`, the
    next ones raise `KeyboardInterrupt` (what `asyncio.Runner` does); one that arrives
    while a node's code runs on this thread raises there and then."""

    def __init__(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        self.loop = loop
        self.task = task
        self.asked = False
        self.installed = (threading.current_thread() is threading.main_thread()
                          and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        if self.installed:
            signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        cell = current_call.get()
        if self.asked or self.task.done() or (cell is not None and cell.busy):
            # A second Ctrl-C, or a node's own code runs right here on the loop's thread
            # (a lone sync node): stop it where it is, as Python would.
            raise KeyboardInterrupt
        self.asked = True
        self.task.cancel()
        self.loop.call_soon_threadsafe(lambda: None)  # wake a loop blocked in select()

    def restore(self) -> None:
        if self.installed and signal.getsignal(signal.SIGINT) == self._on_sigint:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel the tasks left on `loop` and let them finish (as `asyncio.run` does)."""
    left = asyncio.all_tasks(loop)
    if not left:
        return
    for task in left:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    for task in left:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during the shutdown of a run's event loop",
                "exception": task.exception(), "task": task})


def run_plan(plan: Plan, options: RunOptions | None, inputs: Mapping[str, Any] | None, *,
             resume: bool = False, allow_code_change: bool = False,
             value: Any = NOTHING) -> RunResult[Any]:
    """Run (or `resume`) `plan` from sync code: in this thread when it can, else on a
    private loop."""
    runner = PregelRunner(plan, options)
    try:
        if runner.runs_without_loop:
            return runner.run_blocking(inputs, resume=resume,
                                       allow_code_change=allow_code_change, value=value)
        return run_coroutine(runner.run(inputs, resume=resume,
                                        allow_code_change=allow_code_change, value=value,
                                        exclusive=True))
    except KeyboardInterrupt as stop:
        # `except KeyboardInterrupt` keeps working; the message says what stopped where.
        raise ctrl_c_stopped(runner).with_traceback(stop.__traceback__) from None


def ctrl_c_stopped(runner: PregelRunner) -> KeyboardInterrupt:
    """The `KeyboardInterrupt` of a sync run stopped by Ctrl-C, naming flow and superstep
    (a subflow's run nested in a node is named by its parent)."""
    with use_language(runner.options.language):
        if runner.stopped_at is None:
            return KeyboardInterrupt(text("run.stopped_flow", flow=runner.plan.name))
        return KeyboardInterrupt(text("run.stopped", flow=runner.plan.name,
                                      superstep=runner.stopped_at))


async def arun_plan(plan: Plan, options: RunOptions | None,
                    inputs: Mapping[str, Any] | None) -> RunResult[Any]:
    """`await` a run of `plan` without ever running a sync node on the caller's loop.

    A plan of simple sync nodes needs no loop: it runs on one worker thread as a whole
    (one thread hop for the run, not one per superstep) while the caller's loop stays
    free. Cancelling the caller stops it before its next superstep; the caller does not
    wait for that (nor does the shutdown of its loop: the thread is a daemon's).
    """
    runner = PregelRunner(plan, options)
    if not runner.runs_without_loop:
        return await runner.run(inputs)
    stop = threading.Event()
    call = functools.partial(runner.run_blocking, inputs, stop=stop)
    loop = asyncio.get_running_loop()
    done = loop.run_in_executor(background(), contextvars.copy_context().run, call)
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        stop.set()
        # Abandon the thread: it stops at its next superstep, its outcome unread.
        done.cancel()
        raise


_DEFAULT_POLICY = asyncio.DefaultEventLoopPolicy
