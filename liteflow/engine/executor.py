"""The `Executor` seam: where the node calls of one superstep run.

The runner hands an executor the calls of a superstep, each holding only the node's
declared inputs, and gets their outputs back in the same order. `LocalExecutor`
runs them in this process; a distributed executor can ship them elsewhere.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..core.context import CallCell, NodeInterrupt, RunInfo
from ..plan import PlanNode
from .invoke import NodeCall, call_simple
from .threads import DaemonPool
from .workers import Batch, Crew, RunOne

__all__ = ["Executor", "LocalExecutor", "StepInterrupted"]

T = TypeVar("T")


@runtime_checkable
class Executor(Protocol):
    """Runs the node calls of one superstep and returns their outputs, in order.

    It must raise the first failure (and may cancel the other calls); the runner
    then applies none of the superstep's writes.
    """

    async def execute(self, calls: Sequence[NodeCall]) -> list[dict[str, Any]]: ...


class LocalExecutor:
    """The default executor: asyncio in this process.

    Async nodes run as tasks and sync nodes on threads, never on the event loop's
    thread (the runner alone runs sync nodes inline, where it owns the loop or needs
    none). When several simple sync nodes share a superstep, they form one `Batch`: the
    calling thread (where it may block) and daemon helpers work through it, helpers
    joining only while calls wait to start (see `engine.workers`), so trivial branches
    cost no thread hop while blocking ones still overlap.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._pool: ThreadPoolExecutor | None = None
        self._crew: Crew | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    # Daemon threads: a call abandoned at its timeout or at Ctrl-C
                    # holds no worker and keeps nobody waiting (see `threads`).
                    self._pool = DaemonPool(self.max_workers, thread_name_prefix="liteflow")
        return self._pool

    @property
    def crew(self) -> Crew:
        """The helper threads of parallel supersteps of simple sync nodes."""
        if self._crew is None:
            with self._lock:
                if self._crew is None:
                    self._crew = Crew(self.max_workers)
        return self._crew

    async def execute(self, calls: Sequence[NodeCall]) -> list[dict[str, Any]]:
        if calls and calls[0].run_info.limit is not None:
            return await self._execute_limited(calls)
        if len(calls) == 1:
            call = calls[0]
            # Sync work leaves the loop's thread: whoever waits on the loop (a caller of
            # `arun`, a stream consumer, sibling tasks) keeps running meanwhile.
            if call.node.simple:
                return [await self.offload(call.run_sync)]
            return [await call.run(self.offload)]
        first = calls[0]
        return await self.run_parallel([call.node for call in calls],
                                       [call.kwargs for call in calls],
                                       first.superstep, first.run_info)

    async def offload(self, fn: Callable[[], T]) -> T:
        """Run a blocking callable on the pool, keeping the caller's context variables."""
        loop = asyncio.get_running_loop()
        ctx = contextvars.copy_context()
        return await loop.run_in_executor(self.pool, ctx.run, fn)

    async def run_parallel(self, nodes: Sequence[PlanNode], args: Sequence[dict[str, Any]],
                           superstep: int, run: RunInfo,
                           record: Record | None = None,
                           instances: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Run the calls of one superstep (`nodes[i]` with `args[i]`) concurrently.

        Async and non-simple nodes run as tasks (`NodeCall.run`); simple sync nodes form
        one `Batch` of helper threads. The first failure cancels the rest (fail fast): the
        runner then commits nothing of the superstep. `record(i, outputs, seconds)` is
        told of each call that finished (see `_SLOW`).
        """
        if run.limit is not None:
            return await self._run_limited(nodes, args, superstep, run, record, instances)
        results: list[Any] = [None] * len(nodes)
        loop = asyncio.get_running_loop()
        waits: list[asyncio.Future[Any]] = []
        positions: list[int] = []
        simple: list[int] = []
        for i, node in enumerate(nodes):
            if node.simple:
                simple.append(i)
                continue
            call = NodeCall(node, args[i], superstep, run, instances[i] if instances else 0)
            task = loop.create_task(call.run(self.offload))
            if record is not None:
                task.add_done_callback(functools.partial(_recorded, record, i, time.perf_counter()))
            waits.append(task)
            positions.append(i)
        batch = None
        if simple:
            ended: asyncio.Future[None] = loop.create_future()
            batch = Batch(self.crew, len(simple),
                          _call_simple(nodes, args, superstep, run, simple, results, record,
                                       instances),
                          min(len(simple), self.max_workers),
                          functools.partial(_settle_soon, loop, ended))
            batch.start()
            waits.append(ended)
        try:
            done = await _all_of(loop, waits)
        except BaseException:
            if batch is not None:
                batch.stop()
            for pending in waits:
                pending.cancel()
            raise
        for position, value in zip(positions, done, strict=False):
            results[position] = value
        _raise_interrupts(results)
        return results

    def run_blocking(self, nodes: Sequence[PlanNode], args: Sequence[dict[str, Any]],
                     superstep: int, run: RunInfo, cell: CallCell,
                     record: Record | None = None,
                     instances: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Run calls of simple sync nodes (`nodes[i]` with `args[i]`) without an event
        loop, the calling thread working too.

        `cell`: the calling thread's idle `CallCell`. The first failure is raised once
        the calls already started have finished, so nothing of the superstep runs after
        it returns.
        """
        count = len(nodes)
        if count == 1:
            return [call_simple(nodes[0], args[0], superstep, run, cell,
                                instances[0] if instances else 0)]
        results: list[Any] = [None] * count
        callers = min(count, self.max_workers)
        if run.limit is not None:  # max_concurrency: the calling thread is one of the callers
            callers = min(callers, run.limit.smallest)
        batch = Batch(self.crew, count,
                      _call_simple(nodes, args, superstep, run, range(count), results, record,
                                   instances),
                      callers)
        batch.start()
        batch.work(cell)
        batch.join()
        _raise_interrupts(results)
        return results

    async def _execute_limited(self, calls: Sequence[NodeCall]) -> list[dict[str, Any]]:
        first = calls[0]
        try:
            return await self._run_limited([c.node for c in calls], [c.kwargs for c in calls],
                                           first.superstep, first.run_info, None,
                                           [c.instance for c in calls])
        except StepInterrupted as step:
            if len(calls) == 1:  # a lone call's question, as `execute` raises it unlimited
                raise step.results[0] from None
            raise

    async def _run_limited(self, nodes: Sequence[PlanNode], args: Sequence[dict[str, Any]],
                           superstep: int, run: RunInfo, record: Record | None,
                           instances: Sequence[int] | None) -> list[dict[str, Any]]:
        """`run_parallel` under `max_concurrency`: each call is a task that first waits for
        a slot of `run.limit`. A subflow's call takes none: only the calls inside it do.
        Once a call failed, calls still waiting for a slot never start."""
        limit = run.limit
        loop = asyncio.get_running_loop()
        waits: list[asyncio.Future[Any]] = []
        failed: list[BaseException] = []

        async def guarded(fn: Callable[..., Any], *fn_args: Any) -> Any:
            if failed:
                raise asyncio.CancelledError
            try:
                return await fn(*fn_args)
            except NodeInterrupt:
                raise
            except BaseException as exc:
                failed.append(exc)  # before its slot is freed for the next call
                raise

        for i, node in enumerate(nodes):
            call = NodeCall(node, args[i], superstep, run, instances[i] if instances else 0)
            if node.kind == "flow":
                work = guarded(call.run, self.offload)
            elif node.simple:
                work = limit.run(guarded, self.offload, call.run_sync)
            else:
                work = limit.run(guarded, call.run, self.offload)
            task = loop.create_task(work)
            if record is not None:
                task.add_done_callback(functools.partial(_recorded, record, i, time.perf_counter()))
            waits.append(task)
        try:
            results = await _all_of(loop, waits)
        except BaseException:
            for pending in waits:
                pending.cancel()
            raise
        _raise_interrupts(results)
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._crew is not None:
            self._crew.close()
            self._crew = None


class StepInterrupted(BaseException):
    """Some calls of a superstep asked a person (`NodeInterrupt`); all others finished.

    `results[i]` is call i's outputs, or the `NodeInterrupt` it raised.
    """

    def __init__(self, results: list[Any]) -> None:
        super().__init__()
        self.results = results


def _raise_interrupts(results: list[Any]) -> None:
    for value in results:
        if isinstance(value, NodeInterrupt):
            raise StepInterrupted(results)


# Told of every finished call of a superstep that is checkpointed: `(position, outputs,
# seconds)`. Async calls are always recorded; simple sync ones only from `_SLOW` seconds,
# since running a trivial call again costs less than storing its outputs.
Record = Callable[[int, dict[str, Any], float], None]
_SLOW = 0.002


def _recorded(record: Record, i: int, started: float, task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is None:
        record(i, task.result(), time.perf_counter() - started)


def _call_simple(nodes: Sequence[PlanNode], args: Sequence[dict[str, Any]], superstep: int,
                 run: RunInfo, positions: Sequence[int], results: list[Any],
                 record: Record | None, instances: Sequence[int] | None) -> RunOne:
    """Call k of a batch: `nodes[i]` with `args[i]` for `i = positions[k]`, its outputs
    (or the `NodeInterrupt` it raised: the others go on) stored in `results[i]`."""

    def run_one(k: int, cell: CallCell) -> None:
        i = positions[k]
        started = time.perf_counter() if record is not None else 0.0
        try:
            results[i] = out = call_simple(nodes[i], args[i], superstep, run, cell,
                                           instances[i] if instances else 0)
        except NodeInterrupt as asked:
            results[i] = asked  # the superstep pauses once all are done
            return
        if record is not None and (took := time.perf_counter() - started) >= _SLOW:
            record(i, out, took)

    return run_one


def _settle_soon(loop: asyncio.AbstractEventLoop, ended: asyncio.Future[None],
                 failure: BaseException | None) -> None:
    """A batch ended (in a helper thread): settle `ended` on its loop."""
    try:
        loop.call_soon_threadsafe(_settle, ended, failure)
    except RuntimeError:
        pass  # the loop is closed: nobody waits any more


def _settle(ended: asyncio.Future[None], failure: BaseException | None) -> None:
    if ended.done():
        return
    if failure is None:
        ended.set_result(None)
    else:
        ended.set_exception(failure)


async def _all_of(loop: asyncio.AbstractEventLoop,
                  waits: Sequence[asyncio.Future[Any]]) -> list[Any]:
    """The results of `waits`, in order, once all are done; the first failure as soon as it
    happens (a leaner `asyncio.gather`: one callback per future, no wrapping).

    A `NodeInterrupt` is no failure: the others run on, and it comes back in place of
    its call's result.
    """
    if not waits:
        return []
    waiter: asyncio.Future[None] = loop.create_future()
    remaining = len(waits)
    failure: list[BaseException] = []

    def done(future: asyncio.Future[Any]) -> None:
        nonlocal remaining
        remaining -= 1
        # Reading the exception marks it retrieved, also once the superstep has failed.
        error = asyncio.CancelledError() if future.cancelled() else future.exception()
        if waiter.done():
            return
        if error is not None and not isinstance(error, NodeInterrupt):
            failure.append(error)
            waiter.set_result(None)
        elif not remaining:
            waiter.set_result(None)

    for future in waits:
        future.add_done_callback(done)
    await waiter
    if failure:
        raise failure[0]
    return [future.exception() or future.result() for future in waits]

