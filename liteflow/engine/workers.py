"""Threads for the simple sync calls of a superstep: a `Batch` that whoever is free works
through, and a `Crew` of daemon helpers that join it only while calls remain.

Handing calls to a pool costs more than a trivial call: a 10-way fan-out paid ~80 µs per
branch for thread hops. Here the calling thread works too and calls in one helper; each
thread that starts a call while others wait to start calls in one more, up to the batch's
limit. Trivial calls are all done before the first helper wakes (it finds nothing left),
while calls that block on I/O bring helpers in one after another, so they overlap.

A caller waits only for calls a helper has started, never for a helper still on its way:
a run never waits on a busy crew (runs nested in helpers cannot deadlock), and a helper
stuck in a node holds up neither other runs nor the process exit (helpers are daemons).
"""

from __future__ import annotations

import contextvars
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable

from ..core.context import CallCell, current_call

__all__ = ["Batch", "Crew", "RunOne"]

#: Runs call `i` of a batch in the current thread; `cell` is that thread's idle cell.
RunOne = Callable[[int, CallCell], None]
#: Told once when a batch without a working caller ends: its first failure, or None.
Notify = Callable[[BaseException | None], None]


class Batch:
    """The calls of one superstep, handed out by index to the threads working on it.

    The first failure stops the hand-out: calls already started finish, no other starts.
    `limit`: most threads working at once (a working caller included). `notify`: for a
    caller that does not work (an event loop's thread), told when the batch ends.
    """

    __slots__ = ("_crew", "_lock", "_next", "_notify", "_running", "_waiter", "context",
                 "count", "failure", "helping", "limit", "run_one", "stopped", "workers")

    def __init__(self, crew: Crew, count: int, run_one: RunOne, limit: int,
                 notify: Notify | None = None) -> None:
        self._crew = crew
        self.count = count
        self.run_one: RunOne | None = run_one
        self.limit = max(1, limit)
        self._notify = notify
        # The caller's context variables, for the calls that helpers run (tracing spans).
        self.context = contextvars.copy_context()
        self._lock = threading.Lock()
        self._next = 0  # the next call to hand out
        self._running = 0  # calls started, not finished
        self._waiter: threading.Lock | None = None  # released for a caller waiting in `join`
        self.failure: BaseException | None = None
        self.stopped = False  # nothing more is handed out
        self.workers = 0 if notify is not None else 1  # threads that joined
        self.helping = False  # a helper was called in and has not joined yet

    def start(self) -> None:
        """Call in the first helper (if the batch may use one)."""
        if self.count > self.workers and self.limit > self.workers:
            self.helping = True
            self._crew.call(self)

    def work(self, cell: CallCell) -> None:
        """Run calls until none is left or one failed (never raises for a call)."""
        lock = self._lock
        run_one = self.run_one
        finished = False  # a call of this thread's ended since it last held the lock
        while True:
            with lock:
                i = self._next
                if self.stopped or i >= self.count or run_one is None:
                    if not finished:
                        return
                    self._running -= 1
                    notify = self._ended()
                    break
                self._next = i + 1
                if not finished:  # else the call ended makes room for this one
                    self._running += 1
                # One more helper while calls wait to start and none is on its way.
                more = (not self.helping and i + 1 < self.count
                        and self.workers < self.limit)
                if more:
                    self.helping = True
            if more:
                self._crew.call(self)
            try:
                run_one(i, cell)
            except BaseException as exc:  # the batch's failure, raised by its caller
                self._failed(exc)
                return
            finished = True
        if notify is not None:
            notify(self.failure)

    def help(self, cell: CallCell) -> None:
        """A helper's turn (in a copy of the caller's context)."""
        with self._lock:
            self.helping = False
            if self.stopped or self._next >= self.count:
                return  # all handed out already: the usual case for trivial calls
            self.workers += 1
        current_call.set(cell)
        self.work(cell)

    def join(self) -> None:
        """The working caller, once `work` returned: wait for the calls helpers started,
        then raise the first failure. A `KeyboardInterrupt` (or a failure that is no
        `Exception`) is raised at once: the helpers' calls finish on their own."""
        with self._lock:
            self.stopped = True
            waiter = None
            if self._running and not _urgent(self.failure):
                waiter = self._waiter = threading.Lock()
                waiter.acquire()
        if waiter is not None:
            waiter.acquire()  # released by the last call to finish
        self.run_one = None  # nothing of the superstep is kept alive by a queued turn
        if self.failure is not None:
            raise self.failure

    def waiting(self) -> bool:
        """Whether calls are left to hand out (read without the lock: once false, it
        stays false)."""
        return not self.stopped and self._next < self.count

    def stop(self) -> None:
        """Hand out nothing more (the caller gave up: a failure elsewhere, cancelled)."""
        with self._lock:
            self.stopped = True
        self.run_one = None

    def _failed(self, error: BaseException) -> None:
        """A call of this thread's raised: the first failure stops the hand-out."""
        with self._lock:
            self._running -= 1
            first = self.failure is None
            if first:
                self.failure = error
                self.stopped = True
            notify = self._ended()
            if first and self._notify is not None:  # told at once, not once all ended
                notify, self._notify = self._notify, None
        if notify is not None:
            notify(self.failure)

    def _ended(self) -> Notify | None:
        """Under the lock, once a call ended: if it was the last, release a caller waiting
        in `join`, and return the `notify` to call (outside the lock)."""
        if self._running or not (self.stopped or self._next >= self.count):
            return None
        if self._waiter is not None:
            self._waiter.release()
            self._waiter = None
        notify, self._notify = self._notify, None
        return notify


def _urgent(failure: BaseException | None) -> bool:
    return failure is not None and not isinstance(failure, Exception)


class Crew:
    """Daemon helper threads; at most `keep` of them wait idle for work, the others end."""

    def __init__(self, keep: int, name: str = "liteflow") -> None:
        self.keep = keep
        self.name = name
        self._lock = threading.Lock()
        self._queue: deque[Batch] = deque()  # one entry per helper called in
        self._idle: list[threading.Lock] = []  # parked helpers' wake-up locks
        self._coming = 0  # helpers woken or started that have not looked at the queue
        _CREWS.add(self)

    def call(self, batch: Batch) -> None:
        """Call one helper in to `batch`: a waking one takes it, else an idle one or a
        new thread."""
        with self._lock:
            queue = self._queue
            # A turn whose batch has nothing left to hand out needs no helper: trivial
            # calls are all done before the helper called in for them arrives, and
            # counting such turns would wake one more helper for every run.
            while queue and not queue[-1].waiting():
                queue.pop()
            queue.append(batch)
            # Each helper on its way takes one turn: a turn beyond them gets its own helper,
            # or batches running at once (a subflow's beside its parent's) would wait for
            # each other's calls.
            if self._coming >= len(queue):
                return
            self._coming += 1
            wake = self._idle.pop() if self._idle else None
        if wake is not None:
            wake.release()
            return
        try:
            threading.Thread(target=self._serve, name=f"{self.name}-helper",
                             daemon=True).start()
        except BaseException:
            with self._lock:
                self._coming -= 1
            raise

    def close(self) -> None:
        """Let the idle helpers end (busy ones end after their call)."""
        with self._lock:
            self.keep = 0
            idle, self._idle = self._idle, []
        for wake in idle:
            wake.release()

    def _serve(self) -> None:
        cell = CallCell()  # this thread's own (see `CallCell`)
        wake = threading.Lock()
        wake.acquire()
        lock = self._lock
        arrived = True
        while True:
            with lock:
                if arrived:
                    self._coming -= 1
                    arrived = False
                batch = self._queue.popleft() if self._queue else None
                if batch is None:
                    if len(self._idle) >= self.keep:
                        return
                    self._idle.append(wake)
            if batch is None:
                wake.acquire()
                arrived = True
                continue
            try:
                batch.context.copy().run(batch.help, cell)
            except BaseException:  # a helper outlives any one batch's troubles
                pass

    def _after_fork(self) -> None:
        # The child has none of the parent's helper threads.
        self._lock = threading.Lock()
        self._queue.clear()
        self._idle = []
        self._coming = 0


_CREWS: weakref.WeakSet[Crew] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for crew in list(_CREWS):
        crew._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
