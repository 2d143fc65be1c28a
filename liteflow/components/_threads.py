"""Work off the caller's thread.

- Sync chat-model calls run their async implementation on one shared event loop in a
  daemon thread (`run_sync`, `iterate_sync`): the logic is written once, `timeout=` is
  enforced by `asyncio.timeout` (which also stops the SDK's retries), and it works the
  same whether or not the calling thread already runs a loop.
- Sync tool bodies run in daemon threads (`call_in_thread`, `acall_in_thread`), not in a
  thread pool: a call abandoned at its timeout keeps running on its own, but nothing waits
  for it — not the event loop's shutdown, not `run()`, not the interpreter's exit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import os
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar, cast

__all__ = ["acall_in_thread", "call_in_thread", "iterate_sync", "run_sync"]

T = TypeVar("T")


class _Background:
    """The daemon thread and loop of the sync chat calls (made again in a forked child)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self.thread: threading.Thread | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                self.thread = threading.Thread(
                    target=loop.run_forever, name="liteflow-chat", daemon=True
                )
                self.thread.start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def is_current(self) -> bool:
        """Whether the caller runs on the background loop (waiting for it would deadlock)."""
        return threading.current_thread() is self.thread


_BACKGROUND = _Background()


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the background loop, in a copy of the caller's context; wait for it.

    An exception in the caller while waiting (Ctrl-C) cancels the coroutine. Called from
    the background loop itself (an async tool calling a sync model), it runs `coro` on a
    fresh loop in a helper thread instead.
    """
    if _BACKGROUND.is_current():
        return call_in_thread(functools.partial(asyncio.run, coro), None, TimeoutError)
    loop = _BACKGROUND.loop()
    context = contextvars.copy_context()
    outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
    tasks: list[asyncio.Task[T]] = []

    def settle(task: asyncio.Task[T]) -> None:
        if task.cancelled():
            outcome.set_exception(concurrent.futures.CancelledError())
        elif (error := task.exception()) is not None:
            outcome.set_exception(error)
        else:
            outcome.set_result(task.result())

    def start() -> None:
        if not outcome.set_running_or_notify_cancel():
            coro.close()
            return
        task = loop.create_task(coro, context=context)
        tasks.append(task)
        task.add_done_callback(settle)

    loop.call_soon_threadsafe(start)
    try:
        return outcome.result()
    except BaseException:
        if not outcome.cancel() and tasks:
            loop.call_soon_threadsafe(tasks[0].cancel)
        raise


_END = object()


async def _next(iterator: AsyncIterator[T]) -> Any:
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return _END


async def _collect(iterator: AsyncIterator[T]) -> list[T]:
    return [item async for item in iterator]


def iterate_sync(iterator: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async generator from sync code, one step at a time on the background loop.

    Leaving the loop early (`break`, an exception) closes the generator there too. Called
    from the background loop itself, it collects the items on a helper thread first.
    """
    if _BACKGROUND.is_current():
        yield from call_in_thread(functools.partial(asyncio.run, _collect(iterator)), None,
                                  TimeoutError)
        return
    exhausted = False
    try:
        while True:
            item = run_sync(_next(iterator))
            if item is _END:
                exhausted = True
                return
            yield cast(T, item)
    finally:
        close = getattr(iterator, "aclose", None)
        if not exhausted and close is not None:
            run_sync(close())


def call_in_thread(
    fn: Callable[[], T], timeout: float | None, on_timeout: Callable[[], BaseException]
) -> T:
    """`fn()` in a daemon thread, waiting at most `timeout` seconds.

    At the timeout the thread is abandoned and `on_timeout()` is raised.
    """
    context = contextvars.copy_context()
    box: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            box["value"] = context.run(fn)
        except BaseException as exc:
            box["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=target, name="liteflow-tool", daemon=True).start()
    if not finished.wait(timeout):
        raise on_timeout()
    if "error" in box:
        raise box["error"]
    return cast(T, box["value"])


async def acall_in_thread(fn: Callable[[], T]) -> T:
    """`fn()` in a daemon thread, awaited without blocking the loop.

    Cancelling the await (a timeout) abandons the thread: its result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def deliver(value: Any, error: BaseException | None) -> None:
        if future.done():
            return  # abandoned
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def target() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = context.run(fn)
        except BaseException as exc:
            error = exc
        try:
            loop.call_soon_threadsafe(deliver, value, error)
        except RuntimeError:
            pass  # the loop is closed: nobody waits for this result any more

    threading.Thread(target=target, name="liteflow-tool", daemon=True).start()
    return await future
