"""Streaming a run: its events as an async generator, or as a plain iterator.

Shared by `Flow.stream`/`astream` and the builder's `Workflow.stream`/`astream`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import Any

from ..core.errors import LiteflowError
from ..core.events import Event
from ..plan import Plan
from .loop import new_event_loop, run_until_stopped
from .options import RunOptions
from .runner import PregelRunner

__all__ = ["iterate_events", "stream_run"]


async def stream_run(plan: Plan, options: RunOptions | None,
                     inputs: Mapping[str, Any]) -> AsyncGenerator[Event, None]:
    """Run `plan` and yield its events as they happen; the last one is `RunFinished`.

    A failing run raises its error after the events emitted before the failure.
    Closing the generator early cancels the run.
    """
    runner = PregelRunner(plan, options)
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    queue: asyncio.Queue[Event | None] = asyncio.Queue()

    def listener(event: Event) -> None:
        # Sync nodes on the pool emit from worker threads.
        if threading.get_ident() == loop_thread:
            queue.put_nowait(event)
        else:
            loop.call_soon_threadsafe(queue.put_nowait, event)

    task = asyncio.ensure_future(runner.run(inputs, listeners=(listener,)))
    task.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (event := await queue.get()) is not None:
            yield event
        task.result()
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, LiteflowError):
                pass


async def _next(events: AsyncGenerator[Event, None]) -> Event:
    return await events.__anext__()


def iterate_events(events: AsyncGenerator[Event, None]) -> Iterator[Event]:
    """Drive an async event stream on a private event loop, yielding each event (Ctrl-C
    cancels the run, then raises `KeyboardInterrupt`)."""
    loop = new_event_loop()
    try:
        while True:
            try:
                yield run_until_stopped(loop, _next(events))
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(events.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
