"""The Pregel runner: supersteps, message passing, a barrier between steps.

One superstep is a transition `(state, active nodes, join arrivals) → (writes, next
active set)`. All calls of a superstep read the state as it was at its start; their
writes are merged at the barrier in plan order, so results never depend on timing,
and a failing superstep commits nothing. A step costs time in proportion to the nodes
it runs and the keys they write, never to the size of the graph or of the state.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from ..core.context import CallCell, Context, NodeInterrupt, RunInfo, current_call, run_of
from ..core.deep_typecheck import mismatch_error
from ..core.errors import (
    CheckpointError,
    FlowDefinitionError,
    FlowInputError,
    FlowOutputError,
    NodeInputError,
    NodeTypeError,
    StateConflictError,
    SuperstepLimitError,
)
from ..core.events import (
    EventBus,
    EventListener,
    RunFinished,
    RunInterrupted,
    RunResumed,
    RunStarted,
    SuperStepEvent,
)
from ..core.logger import (
    log_run_failed,
    log_run_finished,
    log_run_interrupted,
    log_run_resumed,
    log_run_started,
)
from ..core.merge import MergeConflict, merge_writes
from ..core.messages import use_language
from ..core.result import NOTHING, Interrupt, RunResult
from ..core.state import State
from ..core.suggest import did_you_mean
from ..core.typecheck import describe_value
from ..observability._hooks import hooks_for
from ..plan import Plan, PlanNode
from .cache import NodeCache, process_cache
from .durable import BREAK_SEQ, Durable
from .executor import Executor, LocalExecutor, Record, StepInterrupted
from .invoke import NodeCall, cached_call, call_simple, gather_inputs, restored_call
from .limits import CallLimit
from .options import RunOptions
from .routing import first_active, next_active, next_of

__all__ = ["PregelRunner", "default_executor"]

_DEFAULT_EXECUTOR = LocalExecutor()
_DEFAULT_OPTIONS = RunOptions()
_NO_LANGUAGE = nullcontext()  # reusable: it holds nothing
_RUN_IDS = random.Random()  # seeded from os.urandom; see `new_run_id`
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_RUN_IDS.seed)

# What `_run_many` returns: the node of every call, their writes (in plan order), what
# the conditions of `each` nodes see (None when there are none), and each call's instance.
_Ran = tuple[list[PlanNode], list[dict[str, Any]], dict[int, dict[str, Any]] | None, list[int]]


def new_run_id() -> str:
    """A random UUID4 as 32 hex digits, like `uuid.uuid4().hex`.

    The bits come from a generator of its own, seeded from `os.urandom` (again in a
    forked child), instead of a system call per run: that call lets other threads take
    the interpreter, and a run would wait to get it back.
    """
    return f"{(_RUN_IDS.getrandbits(128) & _UUID_KEEP) | _UUID_SET:032x}"


# The RFC 4122 variant bits and version 4, set over 128 random bits.
_UUID_KEEP = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


def default_executor() -> LocalExecutor:
    """The process-wide in-process executor (one shared thread pool)."""
    return _DEFAULT_EXECUTOR


@dataclass(slots=True)
class Checkpoint:
    """Where a run stands between two supersteps: enough to continue it."""

    values: dict[str, Any]
    active: tuple[int, ...]
    arrivals: dict[int, set[int]]
    superstep: int
    # The questions the run stopped at (its next superstep is not committed).
    interrupts: tuple[Interrupt, ...] = ()


class PregelRunner:
    """Executes a `Plan`. Stateless between runs; one instance may run many times.

    `stopped_at`: the superstep the last run was in when it raised (an error, a
    cancellation, Ctrl-C); None while no run raised.
    """

    def __init__(self, plan: Plan, options: RunOptions | None = None) -> None:
        self.plan = plan
        self.options = options or _DEFAULT_OPTIONS
        self.executor: Executor = self.options.executor or _DEFAULT_EXECUTOR
        self.max_supersteps = self.options.max_supersteps or plan.max_supersteps
        self._node_cache: NodeCache | None = None
        self.stopped_at: int | None = None

    @property
    def runs_without_loop(self) -> bool:
        """Whether `run_blocking` can run this plan: simple sync nodes, run in this process."""
        return self.plan.all_simple and isinstance(self.executor, LocalExecutor)

    def run_blocking(self, inputs: Mapping[str, Any] | None, *, resume: bool = False,
                     allow_code_change: bool = False, value: Any = NOTHING,
                  parent: Context | None = None, stop: threading.Event | None = None
                     ) -> RunResult[Any]:
        """`run` in the calling thread, without an event loop (see `runs_without_loop`).

        Nothing in such a run awaits anything pending: parallel supersteps block on the
        pool instead, so the coroutine completes on its first step. `stop`: once set, the
        run stops (`CancelledError`) before its next superstep.
        """
        assert self.runs_without_loop
        coro = self.run(inputs, blocking=True, resume=resume, allow_code_change=allow_code_change,
                        value=value, stop=stop)
        try:
            coro.send(None)
        except StopIteration as done:
            result: RunResult[Any] = done.value
            return result
        coro.close()
        raise AssertionError("a run without an event loop waited for one")

    async def run(self, inputs: Mapping[str, Any] | None, *,
                  listeners: Sequence[EventListener] = (),
                  blocking: bool = False, resume: bool = False,
                  allow_code_change: bool = False, value: Any = NOTHING,
                  parent: Context | None = None, exclusive: bool = False,
                  stop: threading.Event | None = None) -> RunResult[Any]:
        """Run the plan from its entries with `inputs` as the initial state.

        With a checkpointer: a new thread, a new turn of a completed one, or (`resume`)
        the continuation of an unfinished one from its last committed superstep, `value`
        answering the question(s) it stopped at. `parent`: the context of the node that runs
        this plan as a subflow (its questions are asked through it).
        `blocking`: parallel supersteps block the calling thread (see `run_blocking`).
        `exclusive`: the run owns its event loop (the private loop of a sync `run()`), so
        nobody waits on it and sync nodes may run on its thread; otherwise they always
        leave the loop's thread (the caller of `arun`, a stream consumer or the other
        nodes of a parent superstep keep running).
        """
        language = self.options.language
        with use_language(language) if language else _NO_LANGUAGE:
            run_id = new_run_id()
            durable = None
            restored: Mapping[tuple[int, int], dict[str, Any]] = {}
            answers = None
            if self.options.checkpointer is not None:
                durable = Durable(self.plan, self.options, run_id)
                start = durable.start(None if resume else (inputs or {}),
                                      allow_code_change=allow_code_change,
                                      prepare=prepare_inputs, value=value)
                values = start.values
                point = Checkpoint(values, start.active, start.arrivals, start.step,
                                   start.waiting)
                restored = start.pending
                answers = start.answers
            else:
                values = prepare_inputs(self.plan, inputs or {})
                point = Checkpoint(values, first_active(self.plan, values), {}, 0)
            first = point.superstep
            bus = EventBus((*self.options.listeners(), *listeners))
            run = RunInfo(run_id=run_id, thread_id=self.options.thread_id,
                          flow=self.plan.name, deps=self.options.context, bus=bus,
                          plan=self.plan)
            run.answers = answers
            if parent is not None:
                run.parent = parent
            if self.options.max_concurrency is not None or parent is not None:
                run.limit = self._limit(parent)
            hooks = run.hooks = hooks_for(self.options.metrics, self.options.tracing,
                                          None if parent is None else run_of(parent).hooks)
            if durable is not None:
                durable.run = run
            started = time.perf_counter()
            log_run_started(run.flow, run_id)
            if resume:
                log_run_resumed(run.flow, first, run.thread_id, run_id)
            if hooks is not None:
                hooks.run_started(run.flow, run_id, run.thread_id, self.plan.version,
                                  self.plan.fingerprint, first if resume else None)
            if bus.active:
                bus.emit(RunStarted(run.flow, run.run_id, run.thread_id, dict(values), first))
                if resume:
                    bus.emit(RunResumed(run.flow, run_id, run.thread_id, first))
            try:
                if not point.interrupts:  # questions still waiting: nothing can run yet
                    await self.advance(point, run, blocking=blocking, durable=durable,
                                       restored=restored, exclusive=exclusive, stop=stop)
                paused = bool(point.interrupts)
                output = collect_outputs(self.plan, values, partial=paused)
                if durable is not None:
                    durable.finish("interrupted" if paused else "completed")
            except BaseException as error:
                self.stopped_at = point.superstep + 1
                if durable is not None:
                    durable.abandon(error)
                if isinstance(error, Exception):
                    log_run_failed(run.flow, time.perf_counter() - started, error, run_id)
                if hooks is not None:
                    hooks.run_finished("failed", point.superstep - first, error)
                raise
            if paused:
                log_run_interrupted(run.flow, point.superstep + 1,
                                    [i.id for i in point.interrupts], run_id)
                if bus.active:
                    bus.emit(RunInterrupted(run.flow, run_id, run.thread_id,
                                            point.superstep + 1, point.interrupts))
            duration = time.perf_counter() - started
            result = RunResult(
                output=output,
                final_state=State(values),
                supersteps=point.superstep - first,
                status="interrupted" if paused else "completed",
                interrupt=point.interrupts[0].payload if paused else None,
                duration=duration,
                run_id=run.run_id,
                thread_id=run.thread_id,
                interrupts=point.interrupts,
                metrics=None if hooks is None else hooks.result(point.superstep - first,
                                                                duration),
            )
            if hooks is not None:
                hooks.run_finished(result.status, result.supersteps, None)
            log_run_finished(run.flow, result.duration, run_id, result.supersteps)
            if bus.active:
                bus.emit(RunFinished(run.flow, run.run_id, result))
            return result

    def _limit(self, parent: Context | None) -> CallLimit | None:
        """The run's `max_concurrency` bound: its own, under its parent run's if any."""
        above = None if parent is None else run_of(parent).limit
        size = self.options.max_concurrency
        limit = above if size is None else CallLimit(size, above)
        if limit is not None and not isinstance(self.executor, LocalExecutor):
            raise FlowDefinitionError("error.max_concurrency_subflow_executor",
                                      flow=self.plan.name, executor=type(self.executor).__name__)
        return limit

    def _stage(self, writes: Iterable[tuple[str, dict[str, Any]]],
               values: dict[str, Any]) -> dict[str, Any]:
        """The barrier: every write of the superstep (`(node, outputs)` in plan order)
        merged over `values`, not applied yet."""
        try:
            return merge_writes(values, writes, self.plan.mergers)
        except MergeConflict as exc:
            raise StateConflictError(flow=self.plan.name, node=exc.writer,
                                     **exc.fields) from None

    def _step_event(self, run: RunInfo, superstep: int, completed: tuple[int, ...],
                    written: tuple[str, ...], started: float) -> None:
        names = tuple(self.plan.nodes[i].name for i in completed)
        run.bus.emit(SuperStepEvent(superstep, names, names, written,
                                    time.perf_counter() - started,
                                    flow=run.flow, run_id=run.run_id))

    async def _run_many(self, active: tuple[int, ...], values: dict[str, Any], superstep: int,
                        run: RunInfo, blocking: CallCell | None, durable: Durable | None,
                        restored: Mapping[tuple[int, int], dict[str, Any]]) -> _Ran:
        """Run a superstep of several nodes (or `each` instances).

        Returns the node and the writes of every call, in plan order (the instances of an
        `each` node next to each other), for `each` nodes what their conditions see, and
        the instance number of every call. `blocking`: the run's cell when the calls block
        this thread (all are simple). `restored`: outputs of calls that finished before a
        crash or an interrupt, by `(node, instance)`; they are not run again.
        """
        nodes = self.plan.nodes
        flow = run.flow
        ran: list[PlanNode] = []  # the node of every call
        args: list[dict[str, Any]] = []  # the inputs of every call
        instances: list[int] = []  # each call's instance: its element's index, else 0
        mapped: list[tuple[PlanNode, int, int]] = []  # each node, its first and end call
        for idx in active:
            node = nodes[idx]
            kwargs = gather_inputs(node, values, flow)
            if node.each is None:
                ran.append(node)
                args.append(kwargs)
                instances.append(0)
            else:
                first = len(args)
                _expand(node, kwargs, values, flow, args)
                ran += [node] * (len(args) - first)
                instances += range(len(args) - first)
                mapped.append((node, first, len(args)))
        record: Record | None = None
        if durable is not None:
            def record(i: int, out: dict[str, Any], duration: float) -> None:
                durable.pending(superstep, ran[i], instances[i], out, duration)
        todo: Sequence[int] = range(len(ran))
        outs: list[dict[str, Any]] = [{}] * len(ran)
        if restored:
            todo = [i for i in todo if (ran[i].index, instances[i]) not in restored]
            for i in range(len(ran)):
                found = restored.get((ran[i].index, instances[i]))
                if found is not None:
                    outs[i] = found
                    restored_call(ran[i], superstep, run, instances[i], found)
        cached: dict[int, str] = {}  # call → its cache key, for calls of cached nodes
        if self.plan.cached:
            cache = self._cache(durable)
            kept = []
            for i in todo:
                if ran[i].cache is None:
                    kept.append(i)
                    continue
                key = cached[i] = cache.key(ran[i], args[i])
                hit = cache.get(key)
                if hit is None:
                    kept.append(i)
                else:
                    outs[i] = hit
                    del cached[i]
                    cached_call(ran[i], superstep, run, hit)
            todo = kept
        try:
            done = await self._execute(todo, ran, args, instances, mapped, superstep, run,
                                       blocking, record)
        except StepInterrupted as step:
            # Some calls asked a person: every other call has finished and is kept.
            asked, finished = [], []
            for j, i in enumerate(todo):
                result = step.results[j]
                if isinstance(result, NodeInterrupt):
                    asked.append((ran[i], result))
                elif result is not None:
                    finished.append((ran[i], instances[i], result))
            raise Paused(asked, finished) from None
        if len(done) == len(ran) and not (cached or mapped):
            return ran, done, None, instances  # the usual superstep: every call ran
        for i, out in zip(todo, done, strict=True):
            outs[i] = out
        if cached:
            for i, key in cached.items():
                cache.put(ran[i], key, outs[i])
        if not mapped:
            return ran, outs, None, instances
        seen: dict[int, dict[str, Any]] = {}
        for node, first, end in mapped:
            # No element (a list without a length, or an old checkpoint): no call ran, so
            # nothing is written and no edge fires, as when the empty list is skipped.
            if first != end:
                seen[node.index] = _combined(outs[first:end])
        return ran, outs, seen, instances

    def _cache(self, durable: Durable | None) -> NodeCache:
        if self._node_cache is None:
            if durable is not None:
                store = durable.store
            elif self.options.cache is not None:
                store = self.options.cache
            else:
                store = process_cache()
            self._node_cache = NodeCache(store, self.plan.name)
        return self._node_cache

    async def _execute(self, todo: Sequence[int], ran: list[PlanNode],
                       args: list[dict[str, Any]], instances: list[int], mapped: list[Any],
                       superstep: int, run: RunInfo, blocking: CallCell | None,
                       record: Record | None) -> list[dict[str, Any]]:
        """Run calls `todo` of a superstep on the executor; their outputs, in order."""
        if not todo:
            return []
        if len(todo) == len(ran):  # all of them (`todo` is ascending)
            some, some_args = ran, args
            some_instances = instances if mapped else None
        else:
            some = [ran[i] for i in todo]
            some_args = [args[i] for i in todo]
            some_instances = [instances[i] for i in todo] if mapped else None
        executor = self.executor
        if blocking is not None:
            assert isinstance(executor, LocalExecutor)
            return executor.run_blocking(some, some_args, superstep, run, blocking,
                                         _shifted(record, todo), some_instances)
        if isinstance(executor, LocalExecutor):
            return await executor.run_parallel(some, some_args, superstep, run,
                                               _shifted(record, todo), some_instances)
        return await executor.execute(
            [NodeCall(n, k, superstep, run, instances[i])
             for n, k, i in zip(some, some_args, todo, strict=True)])

    async def advance(self, point: Checkpoint, run: RunInfo, *, blocking: bool = False,
                      durable: Durable | None = None,
                      restored: Mapping[tuple[int, int], dict[str, Any]] | None = None,
                      exclusive: bool = False, stop: threading.Event | None = None) -> None:
        """Run supersteps from `point` until no node is active, updating `point` in place.

        `durable`: commits every superstep before it is applied (see `engine.durable`);
        `restored`: outputs of calls of the first superstep that finished before the run
        stopped; `blocking`: see `run_blocking`; `exclusive`: see `run`.
        """
        # One cell for the inline calls of this run (see `CallCell`).
        cell = CallCell()
        token = current_call.set(cell)
        try:
            await self._advance(point, run, cell, blocking, durable, restored or {},
                                blocking or exclusive, stop)
        finally:
            current_call.reset(token)

    async def _advance(self, point: Checkpoint, run: RunInfo, cell: CallCell, blocking: bool,
                       durable: Durable | None,
                       restored: Mapping[tuple[int, int], dict[str, Any]],
                       exclusive: bool, halt: threading.Event | None) -> None:
        plan = self.plan
        nodes = plan.nodes
        mergers = plan.mergers
        join_sizes = plan.join_sizes
        plain_writers = plan.plain_writers
        maps = plan if plan.mapped else None  # `each` workers: an empty list is skipped
        limit = point.superstep + self.max_supersteps
        execute = self.executor.execute
        listening = run.bus.active  # listeners are fixed for the run
        # Only tracing needs to hear of supersteps (metrics count them from the result).
        hooks = run.hooks if run.hooks is not None and run.hooks.tracing is not None else None
        flow = plan.name
        values = point.values
        arrivals = point.arrivals
        # Where nobody waits on this thread's loop, a lone sync node of the local executor
        # runs right here (no coroutine, no thread hop); anywhere else it leaves the loop.
        local = self.executor if isinstance(self.executor, LocalExecutor) else None
        inline = exclusive and local is not None
        active = point.active
        superstep = point.superstep
        breaks = self._breakpoints()
        if breaks is not None and durable is None:
            raise CheckpointError("checkpoint.needs_checkpointer", flow=flow,
                                  method="interrupt_before/interrupt_after")
        last: tuple[int, ...] = ()  # the nodes of the last superstep this call ran
        while active:
            if halt is not None and halt.is_set():
                raise asyncio.CancelledError  # the caller of `arun` gave up (see `loop`)
            if breaks is not None:
                stop = breaks.due(last, active, superstep + 1, run.answers)
                if stop:
                    assert durable is not None
                    point.interrupts = durable.breakpoints(superstep + 1, stop)
                    return
            if superstep >= limit:
                raise SuperstepLimitError(flow=flow, limit=self.max_supersteps,
                                          active=[nodes[i].name for i in active],
                                          state=State(dict(values)))
            superstep += 1
            step_started = time.perf_counter() if listening or durable else 0.0
            if hooks is not None:
                hooks.step_started(superstep, [nodes[i].name for i in active])

            # 1. Calls: each active node gets only its declared inputs.
            seen: dict[int, dict[str, Any]] | None = None
            instances: list[int] | None = None
            node = nodes[active[0]]
            ran: Sequence[PlanNode] | None = None  # None: `node` ran alone, writing `out`
            outs: Sequence[dict[str, Any]] = ()
            try:
                if len(active) == 1 and node.each is None and node.cache is None:
                    # Chains and loops: one node, one call, nothing to group.
                    kwargs = gather_inputs(node, values, flow)
                    kept = restored.get((node.index, 0)) if restored else None
                    if kept is not None:
                        out = kept
                        restored_call(node, superstep, run, 0, kept)
                    elif inline and node.simple:
                        out = call_simple(node, kwargs, superstep, run, cell)
                    elif inline:  # async, or with retries or a timeout (that one on a thread)
                        assert local is not None
                        out = await NodeCall(node, kwargs, superstep, run).run(
                            local.offload if node.timeout is not None else None)
                    else:
                        out = (await execute([NodeCall(node, kwargs, superstep, run)]))[0]
                    # Inputs are dropped before the barrier: a committed list that nobody
                    # holds any more then grows in place there (see `core.merge`).
                    del kwargs
                else:
                    ran, outs, seen, instances = await self._run_many(
                        active, values, superstep, run, cell if blocking else None, durable,
                        restored)
            except NodeInterrupt as asked:  # a lone node asked a person
                if durable is None:
                    raise  # a subflow's question: the parent run pauses
                point.interrupts = durable.interrupts(superstep, [(node, asked)])
                return
            except Paused as paused:
                if durable is None:
                    raise paused.asked[0][1] from None  # a subflow's question
                for done_node, instance, out in paused.finished:
                    durable.pending(superstep, done_node, instance, out)
                point.interrupts = durable.interrupts(superstep, paused.asked)
                return
            if restored:
                restored = {}

            # 2. Barrier: merge every write in plan order into a staging dict.
            # 3. Messages: which nodes run next (conditions see the merged state).
            if ran is None:
                if mergers and not plain_writers[node.index]:
                    staged = self._stage(((node.name, out),), values)
                else:
                    staged = out
                nxt = node.plain_next
                if nxt is None:
                    nxt = next_of(node, out, staged, values, arrivals, join_sizes, flow, maps)
                elif maps is not None and nxt:
                    nxt = next_active((node,), (out,), None, staged, values, arrivals,
                                      join_sizes, flow, maps)
            else:
                staged = self._stage(zip([n.name for n in ran], outs, strict=True), values)
                nxt = next_active(ran, outs, seen, staged, values, arrivals, join_sizes, flow,
                                  maps)

            # 4. Commit: durably first (when checkpointed), then only the written keys.
            if durable is not None:
                if ran is None:
                    ran, outs = (node,), (out,)
                durable.step(superstep, ran, outs, values, staged, nxt, arrivals, instances,
                             time.perf_counter() - step_started)
            values.update(staged)
            last = active
            active = point.active = nxt
            point.superstep = superstep
            if hooks is not None:
                hooks.step_finished(tuple(staged))
            if listening:
                self._step_event(run, superstep, last, tuple(staged), step_started)

    def _breakpoints(self) -> Breakpoints | None:
        options = self.options
        if not (options.interrupt_before or options.interrupt_after):
            return None
        index = self.plan.index
        return Breakpoints(frozenset(index[n] for n in options.interrupt_before or ()),
                           frozenset(index[n] for n in options.interrupt_after or ()),
                           self.plan.nodes)

def _combined(writes: list[dict[str, Any]]) -> dict[str, Any]:
    """What an `each` node's conditions see: the keys its instances wrote, last one wins."""
    return {key: value for out in writes for key, value in out.items()}


def _expand(node: PlanNode, kwargs: dict[str, Any], values: Mapping[str, Any], flow: str,
            args: list[dict[str, Any]]) -> None:
    """`each`: one call per element of the items key, the element bound to the item param."""
    each = node.each
    assert each is not None
    try:
        items = values[each.items_key]
    except KeyError:
        raise NodeInputError(flow=flow, node=node.name, key=each.items_key) from None
    if isinstance(items, str | bytes | Mapping) or not hasattr(items, "__iter__"):
        raise NodeTypeError("error.each_not_sequence", flow=flow, node=node.name,
                            key=each.items_key, actual=describe_value(items))
    check = each.item_check
    for item in items:
        if check is not None and not check(item):
            raise mismatch_error(NodeTypeError, "error.node_input_type", each.item_hint,
                                 each.item_type, item, each.item_param, flow=flow,
                                 node=node.name)
        args.append({**kwargs, each.item_param: item})


class Breakpoints:
    """`interrupt_before`/`interrupt_after`: pause before a superstep that would run one of
    `before`, or after one that ran one of `after`; `resume()` goes on past them."""

    __slots__ = ("after", "before", "nodes")

    def __init__(self, before: frozenset[int], after: frozenset[int],
                 nodes: Sequence[PlanNode]) -> None:
        self.before = before
        self.after = after
        self.nodes = nodes

    def due(self, last: Sequence[int], active: Sequence[int], superstep: int,
            answers: Mapping[tuple[int, str, int, int], Any] | None
            ) -> list[tuple[PlanNode, str]]:
        """The breakpoints that stop the run before `superstep`, not yet passed."""
        found = [(self.nodes[i], "after") for i in last if i in self.after]
        found += [(self.nodes[i], "before") for i in active if i in self.before]
        passed = answers or {}
        return [(node, when) for node, when in found
                if (superstep, node.name, 0, BREAK_SEQ[when]) not in passed]


class Paused(BaseException):
    """A superstep stopped at questions: `asked` (node, signal) and the calls that finished
    (node, instance, outputs), all to be kept for `resume`."""

    def __init__(self, asked: list[tuple[PlanNode, NodeInterrupt]],
                 finished: list[tuple[PlanNode, int, dict[str, Any]]]) -> None:
        super().__init__()
        self.asked = asked
        self.finished = finished


def _shifted(record: Record | None, positions: Sequence[int]) -> Record | None:
    """`record` for a subset of a superstep's calls: call i of the subset is `positions[i]`."""
    if record is None:
        return None
    if isinstance(positions, range) and positions.start == 0:
        return record
    return lambda i, out, duration: record(positions[i], out, duration)


def prepare_inputs(plan: Plan, inputs: Mapping[str, Any],
                   stored: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The initial state: the given inputs, checked, plus defaults of optional inputs.

    `stored`: a thread's state before a new turn; an input it already holds may be left out
    (it keeps its value).
    """
    declared = plan.inputs_by_key
    values: dict[str, Any] = {}
    for key, value in inputs.items():
        spec = declared.get(key)
        if spec is None:
            if not plan.open_inputs:
                raise FlowInputError("error.flow_input_unknown", flow=plan.name, key=key,
                                     expected=", ".join(declared) or "-",
                                     hint=did_you_mean(key, declared))
        elif spec.check is not None and not spec.check(value):
            raise mismatch_error(FlowInputError, "error.flow_input_type", spec.hint,
                                 spec.type_name, value, key, flow=plan.name)
        values[key] = value
    for spec in plan.inputs:
        if spec.key not in values:
            if stored is not None and spec.key in stored:
                continue
            if spec.required:
                raise FlowInputError("error.flow_input_missing", flow=plan.name, key=spec.key)
            values[spec.key] = spec.default
    return values


def collect_outputs(plan: Plan, values: Mapping[str, Any], *,
                    partial: bool = False) -> dict[str, Any]:
    """The flow's return keys from the final state, checked against their types
    (`partial`: a paused run, whose outputs may not all exist yet)."""
    output: dict[str, Any] = {}
    for spec in plan.outputs:
        if spec.key in values:
            value = values[spec.key]
            if spec.check is not None and not spec.check(value):
                raise mismatch_error(FlowOutputError, "error.flow_output_type", spec.hint,
                                     spec.type_name, value, spec.key, flow=plan.name)
            output[spec.key] = value
        elif spec.required and not partial:
            raise FlowOutputError(flow=plan.name, key=spec.key)
    return output
