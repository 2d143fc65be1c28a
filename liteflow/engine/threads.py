"""Threads a run may abandon: a thread pool of daemon threads.

Sync work cannot be interrupted: when a node's timeout expires or a run is stopped
(Ctrl-C), the engine stops waiting and the thread finishes on its own. In a
`ThreadPoolExecutor` such a thread still counts: the event loop's shutdown and the
interpreter's exit join it, and it holds a worker the next run needs. `DaemonPool` gives
an abandoned call's worker back at once and never waits for it.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

__all__ = ["DaemonPool", "background"]

P = ParamSpec("P")
T = TypeVar("T")


class DaemonPool(ThreadPoolExecutor):
    """A thread pool of daemon threads that never waits for a call it gave up on.

    A call is abandoned when its future is cancelled while it runs (asyncio cancels the
    future of `run_in_executor` when the awaiting task is cancelled or times out): it stops
    counting against `max_workers`, `shutdown(wait=True)` does not wait for it, and its
    thread rejoins the pool (or ends) once the call returns. The class derives from
    `ThreadPoolExecutor` only because `loop.set_default_executor` requires one; it uses
    none of that class's machinery.
    """

    def __init__(self, max_workers: int | None = None, thread_name_prefix: str = "",
                 initializer: Callable[[], object] | None = None) -> None:
        super().__init__(max_workers, thread_name_prefix)
        self._limit = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._prefix = thread_name_prefix or "liteflow"
        self._setup = initializer
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._guard = threading.Lock()
        self._drained = threading.Condition(self._guard)
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # workers waiting for a call
        self._workers = 0  # threads that count against the limit
        self._busy = 0  # calls queued or running and not abandoned
        self._closed = False
        self._started = 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if self._pid != os.getpid():
            self._reset()  # a forked child has none of its parent's threads
        call = _Call(self, fn, args, kwargs)
        with self._guard:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._busy += 1
            self._calls.put(call)
            if not self._idle.acquire(blocking=False) and self._workers < self._limit:
                self._spawn()
        return call.future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Let idle workers end; `wait` for the calls nobody gave up on (never for an
        abandoned one)."""
        with self._guard:
            if cancel_futures:
                while True:
                    try:
                        call = self._calls.get_nowait()
                    except queue.Empty:
                        break
                    if call is not None and call.future.cancel():
                        self._busy -= 1
            if not self._closed:
                self._closed = True
                self._calls.put(None)  # each worker passes it on to the next
            if wait:
                while self._busy:
                    self._drained.wait()

    def _spawn(self) -> None:
        """Start one more worker (under `_guard`)."""
        self._workers += 1
        self._started += 1
        threading.Thread(target=self._serve, name=f"{self._prefix}_{self._started}",
                         daemon=True).start()

    def _serve(self) -> None:
        if self._setup is not None:
            self._setup()
        calls = self._calls
        while True:
            call = calls.get()
            if call is None:
                calls.put(None)
                return
            call.run()
            with self._guard:
                if call.abandoned:
                    # Its place was given back when it was abandoned: take one again.
                    if self._closed or self._workers >= self._limit:
                        return
                    self._workers += 1
                else:
                    self._busy -= 1
                    if not self._busy:
                        self._drained.notify_all()
            del call
            self._idle.release()

    def _abandon(self, call: _Call) -> None:
        with self._guard:
            if call.abandoned or not call.future.running():
                return  # finished (or never started): nothing to give up
            call.abandoned = True
            self._workers -= 1
            self._busy -= 1
            if not self._busy:
                self._drained.notify_all()
            if not self._closed and not self._calls.empty() and self._workers < self._limit:
                self._spawn()  # calls are waiting: replace the stuck worker


class _Future(Future[T]):
    """A future whose `cancel()` while running abandons the call (see `DaemonPool`)."""

    def __init__(self, call: _Call) -> None:
        super().__init__()
        self._call: _Call | None = call

    def cancel(self) -> bool:
        if super().cancel():
            return True
        call = self._call
        if call is not None:
            call.pool._abandon(call)
        return False


class _Call:
    __slots__ = ("abandoned", "args", "fn", "future", "kwargs", "pool")

    def __init__(self, pool: DaemonPool, fn: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self.pool = pool
        self.fn: Callable[..., Any] | None = fn
        self.args = args
        self.kwargs = kwargs
        self.abandoned = False
        self.future: _Future[Any] = _Future(self)

    def run(self) -> None:
        future = self.future
        fn = self.fn
        self.fn = None
        if fn is None or not future.set_running_or_notify_cancel():
            return
        try:
            result = fn(*self.args, **self.kwargs)
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        finally:
            self.args, self.kwargs = (), {}
            future._call = None


_BACKGROUND: DaemonPool | None = None
_LOCK = threading.Lock()


def background() -> DaemonPool:
    """The process-wide pool for work a caller may give up on: sync runs awaited by
    `arun`, timed sync calls without an executor of their own."""
    global _BACKGROUND
    if _BACKGROUND is None:
        with _LOCK:
            if _BACKGROUND is None:
                _BACKGROUND = DaemonPool(thread_name_prefix="liteflow-bg")
    return _BACKGROUND
