"""The remote-executor seam: one superstep's calls run as tasks of a distributed engine.

The driver ships the plan once (workers keep it by fingerprint and check it), and per call
only the node's position, its declared inputs, the superstep and the run's facts. A value
passed to several calls of one superstep is stored once. The worker runs the whole attempt
loop (`NodeCall.run`: retries, timeout, fallback, type checks) and sends back the outputs,
or the failure, with the events the call emitted; the driver replays those on its bus.
A subclass only says how to store a value, submit a job, watch and cancel it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import pickle
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..core import context as _context
from ..core.context import RunInfo
from ..core.errors import ExecutorError, LiteflowError, NodeError
from ..core.events import Event, EventBus, NodeFailed
from ..core.messages import current_language, text, use_language
from ..engine import executor as _engine_executor
from ..engine.invoke import NodeCall
from ..plan import Plan, PlanNode

__all__ = ["Job", "Outcome", "RemoteExecutor", "RunMeta", "Shared", "run_job"]

# Pausing for a person (`Context.interrupt`) raises this BaseException; it is no failure.
_INTERRUPTS: tuple[type[BaseException], ...] = tuple(
    cls for cls in (getattr(_context, "NodeInterrupt", None),) if isinstance(cls, type))
_STEP_INTERRUPTED: Any = getattr(_engine_executor, "StepInterrupted", None)

# Values this small are cheaper to send with every call than to store once.
_SMALL = (type(None), bool, int, float, complex)
_SMALL_TEXT = 1024


class Shared(NamedTuple):
    """In a job's inputs: the value stored once for this superstep, at `position`."""

    position: int


@dataclasses.dataclass(frozen=True, slots=True)
class RunMeta:
    """What a worker knows of the run: never the bus, the listeners or the state."""

    run_id: str
    thread_id: str | None
    flow: str
    deps: Mapping[str, Any]
    branch: str
    listen: bool  # whether the driver's bus has listeners: else no event is even built


@dataclasses.dataclass(frozen=True, slots=True)
class Job:
    """One call as it travels: the node by position in the plan, its declared inputs."""

    fingerprint: str
    index: int
    kwargs: dict[str, Any]
    superstep: int
    instance: int
    meta: RunMeta
    language: str
    answers: Mapping[Any, Any] | None = None


class Outcome(NamedTuple):
    """What a worker sends back: outputs or a failure, and the call's events in order."""

    outputs: dict[str, Any] | None
    error: bytes | None  # a pickled `_ErrorBox`
    events: list[Event]
    interrupted: bool = False


# -- the worker side ------------------------------------------------------------------

# Plans this worker process has loaded and checked, by fingerprint.
_PLANS: dict[str, Plan] = {}
_KEEP_PLANS = 32


def run_job(job: Job, load: Callable[[Any], Plan], source: Any, *shared: Any) -> Outcome:
    """Run one call on a worker: the plan from `load(source)` (once per worker and plan),
    `shared` the values stored once for this superstep (see `Shared`)."""
    events: list[Event] = []
    with use_language(job.language):
        try:
            plan = _plan(job.fingerprint, load, source, job.meta.flow)
            node = plan.nodes[job.index]
            kwargs = {k: shared[v.position] if type(v) is Shared else v
                      for k, v in job.kwargs.items()}
            meta = job.meta
            bus = EventBus((events.append,)) if meta.listen else EventBus()
            run = RunInfo(run_id=meta.run_id, thread_id=meta.thread_id, flow=meta.flow,
                          deps=meta.deps, bus=bus, branch=meta.branch, plan=plan)
            if job.answers is not None:
                run.answers = job.answers  # type: ignore[attr-defined,unused-ignore]
            call = NodeCall(node, kwargs, job.superstep, run, job.instance)
            out = call.run_sync() if node.simple else _run_async(call)
        except _INTERRUPTS as asked:
            return Outcome(None, _pack(asked), _portable(events), True)
        except Exception as exc:
            return Outcome(None, _pack(exc), _portable(events))
    return Outcome(out, None, _portable(events))


def _plan(fingerprint: str, load: Callable[[Any], Plan], source: Any, flow: str) -> Plan:
    plan = _PLANS.get(fingerprint)
    if plan is not None:
        return plan
    try:
        shipped = load(source)
    except Exception as exc:
        raise ExecutorError("executor.plan_not_loaded", flow=flow,
                            error=f"{type(exc).__name__}: {exc}") from exc
    # A fresh copy: the shipped plan carries the driver's fingerprint, not this worker's.
    found = dataclasses.replace(shipped).fingerprint
    if found != fingerprint:
        raise ExecutorError("executor.code_differs", flow=shipped.name, driver=fingerprint,
                            worker=found)
    if len(_PLANS) >= _KEEP_PLANS:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[fingerprint] = shipped
    return shipped


def _run_async(call: NodeCall) -> dict[str, Any]:
    # Not `asyncio.run`: it waits for the default thread pool, so a sync node that timed
    # out on a thread would hold the call until it returned anyway.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(call.run())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class _ErrorBox:
    """An exception with its cause chain, rebuilt without calling its `__init__` (liteflow's
    errors take keyword fields), the worker's traceback kept as a note."""

    def __init__(self, exc: BaseException, depth: int = 0) -> None:
        self.cls: type[BaseException] = type(exc)
        self.args = exc.args
        self.state = dict(getattr(exc, "__dict__", {}))
        self.trace = ""
        if exc.__traceback__ is not None and not isinstance(exc, LiteflowError):
            self.trace = "".join(traceback.format_exception(exc, chain=False))
        cause = exc.__cause__
        if cause is None and not exc.__suppress_context__:
            cause = exc.__context__
        self.cause = _ErrorBox(cause, depth + 1) if cause is not None and depth < 8 else None
        self.text = f"{type(exc).__name__}: {exc}"

    def unpack(self) -> BaseException:
        exc: BaseException
        try:
            exc = self.cls.__new__(self.cls)
            exc.args = self.args
            exc.__dict__.update(self.state)
        except Exception:
            exc = RuntimeError(self.text)
        if self.trace:
            exc.add_note("worker traceback:\n" + self.trace.rstrip())
        if self.cause is not None:
            exc.__cause__ = self.cause.unpack()
        return exc


def _pack(exc: BaseException) -> bytes:
    box = _ErrorBox(exc)
    try:
        return _dumps(box)
    except Exception:
        # Something in it does not travel (a lock, a socket): keep its text and traceback.
        plain = RuntimeError(box.text)
        plain.add_note(box.trace or "")
        return _dumps(_ErrorBox(plain))


def _unpack(data: bytes) -> BaseException:
    try:
        box: _ErrorBox = pickle.loads(data)
    except Exception as exc:  # a class the driver cannot import
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return box.unpack()


def _portable(events: list[Event]) -> list[Event]:
    """The events with their exceptions packed into ones that travel (`_RemoteError`)."""
    out: list[Event] = []
    for event in events:
        error = getattr(event, "error", None)
        if isinstance(error, BaseException):
            event = dataclasses.replace(event, error=_RemoteError(_pack(error)))  # type: ignore[call-arg]
        out.append(event)
    return out


class _RemoteError(Exception):
    """Carries a packed exception inside an event; replaced by the real one on the driver."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.data = data


def _local(event: Event) -> Event:
    error = getattr(event, "error", None)
    if isinstance(error, _RemoteError):
        event = dataclasses.replace(event, error=_unpack(error.data))  # type: ignore[call-arg]
    return event


def _dumps(value: Any) -> bytes:
    """cloudpickle where there is one (classes of `__main__` travel by value), else pickle."""
    for name in ("cloudpickle", "ray.cloudpickle"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        data: bytes = module.dumps(value)
        return data
    return pickle.dumps(value)


# -- the driver side ------------------------------------------------------------------


class RemoteExecutor:
    """Base of the distributed executors: ships plans and calls, replays events, fails fast.

    Subclasses implement `_start`, `_put`, `_submit`, `_watch`, `_cancel` and `close`.
    `wait_timeout`: seconds a superstep may take in all before its calls are cancelled (a
    call no worker can take never starts); None waits as long as the nodes run.
    """

    name = "RemoteExecutor"

    def __init__(self, *, wait_timeout: float | None = None) -> None:
        self.wait_timeout = wait_timeout
        self._sources: dict[str, Any] = {}  # shipped plans by fingerprint
        self._meta: tuple[str, RunMeta] | None = None  # of the last run
        self._closed = False

    # What a subclass provides ------------------------------------------------------

    def _start(self) -> None:
        """Connect (or start a local cluster) if not done yet."""
        raise NotImplementedError

    def _ship_plan(self, plan: Plan) -> tuple[Callable[[Any], Plan], Any]:
        """Store the plan once: the worker-side loader and what it loads from."""
        raise NotImplementedError

    def _kept(self, source: tuple[Callable[[Any], Plan], Any]) -> bool:
        """Whether a plan shipped before is still stored (a lost worker may lose it)."""
        return True

    def _put(self, value: Any) -> Any:
        """Store a value once; what a job passes in its place."""
        raise NotImplementedError

    def _submit(self, node: PlanNode, plan: Plan, job: Job, source: Any,
                shared: Sequence[Any]) -> Any:
        """Start `run_job(job, loader, source, *shared)` on a worker; a handle to it."""
        raise NotImplementedError

    def _watch(self, handle: Any) -> asyncio.Future[Outcome]:
        """An asyncio future of the job's `Outcome` (failing if the worker was lost)."""
        raise NotImplementedError

    def _cancel(self, handles: Sequence[Any]) -> None:
        """Cancel jobs that may still run (best effort, never raises)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the cluster connection (and the cluster, if this executor started it)."""
        self._closed = True

    def __enter__(self) -> RemoteExecutor:
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The seam ------------------------------------------------------------------------

    async def execute(self, calls: Sequence[NodeCall]) -> list[dict[str, Any]]:
        """Run the calls of one superstep remotely; outputs in order, first failure raised."""
        if not calls:
            return []
        run = calls[0].run_info
        plan = run.plan
        if not isinstance(plan, Plan):
            raise ExecutorError("executor.no_plan", executor=self.name, flow=run.flow)
        if self._closed:
            raise ExecutorError("executor.closed", executor=self.name, flow=run.flow)
        self._start()
        fingerprint = plan.fingerprint
        if fingerprint not in self._sources or not self._kept(self._sources[fingerprint]):
            self._sources[fingerprint] = self._ship_plan(plan)
        source = self._sources[fingerprint]
        meta = self._run_meta(run)
        language = current_language()
        answers = getattr(run, "answers", None)
        jobs, shared = _jobs(calls, fingerprint, meta, language, answers)
        stored = [self._put(value) for value in shared]
        handles = [self._submit(call.node, plan, job, source, stored)
                   for call, job in zip(calls, jobs, strict=True)]
        return await self._gather(calls, handles, run)

    def _run_meta(self, run: RunInfo) -> RunMeta:
        """The run's facts, built and checked once per run: every dependency must travel."""
        if self._meta is not None and self._meta[0] == run.run_id:
            return self._meta[1]
        for key, value in run.deps.items():
            try:
                _dumps(value)
            except Exception as exc:
                raise ExecutorError("executor.deps_not_portable", flow=run.flow, key=key,
                                    error=f"{type(exc).__name__}: {exc}") from exc
        meta = RunMeta(run.run_id, run.thread_id, run.flow, dict(run.deps), run.branch,
                       run.bus.active)
        self._meta = (run.run_id, meta)
        return meta

    async def _gather(self, calls: Sequence[NodeCall], handles: Sequence[Any],
                      run: RunInfo) -> list[dict[str, Any]]:
        watched = {self._watch(handle): i for i, handle in enumerate(handles)}
        results: list[Any] = [None] * len(calls)
        asked = False
        pending = set(watched)
        deadline = None if self.wait_timeout is None else time.monotonic() + self.wait_timeout
        try:
            while pending:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                done, pending = await asyncio.wait(pending, timeout=left,
                                                   return_when=asyncio.FIRST_COMPLETED)
                if not done:
                    names = sorted({calls[watched[f]].node.name for f in pending})
                    raise ExecutorError("executor.wait_timeout", flow=run.flow,
                                        superstep=calls[0].superstep, nodes=", ".join(names),
                                        timeout=self.wait_timeout)
                for future in sorted(done, key=watched.__getitem__):
                    i = watched[future]
                    results[i] = self._settle(calls[i], future, run)
                    asked = asked or isinstance(results[i], BaseException)
        except BaseException:
            # Fail fast: nothing of this superstep is applied, so nothing else need finish.
            self._cancel(handles)
            for future in pending:
                future.cancel()
            raise
        if asked:
            if len(results) == 1 or _STEP_INTERRUPTED is None:
                raise next(r for r in results if isinstance(r, BaseException))
            raise _STEP_INTERRUPTED(results)
        return results

    def _settle(self, call: NodeCall, future: asyncio.Future[Outcome], run: RunInfo) -> Any:
        """A finished job: its events replayed on the driver's bus, its outputs (or the
        interrupt it raised) returned, its failure raised."""
        try:
            outcome = future.result()
        except Exception as exc:  # the worker was lost: its events are lost with it
            error = NodeError(flow=run.flow, node=call.node.name, superstep=call.superstep,
                              attempts=1, error=text("executor.worker_lost",
                                                     error=type(exc).__name__))
            if run.bus.active:
                run.bus.emit(NodeFailed(run.flow, run.run_id, call.node.name, call.superstep,
                                        1, exc))
            raise error from exc
        bus = run.bus
        if bus.active:
            for event in outcome.events:
                bus.emit(_local(event))
        if outcome.error is not None:
            failure = _unpack(outcome.error)
            if outcome.interrupted:
                return failure
            raise failure
        return outcome.outputs


def _jobs(calls: Sequence[NodeCall], fingerprint: str, meta: RunMeta, language: str,
          answers: Mapping[Any, Any] | None) -> tuple[list[Job], list[Any]]:
    """The jobs of a superstep and the values to store once: any input object (not a small
    scalar or string) that more than one call receives."""
    seen: dict[int, int] = {}
    for call in calls:
        for value in call.kwargs.values():
            if _worth_sharing(value):
                seen[id(value)] = seen.get(id(value), 0) + 1
    shared: list[Any] = []
    slots: dict[int, Shared] = {}
    jobs: list[Job] = []
    for call in calls:
        kwargs: dict[str, Any] = {}
        for key, value in call.kwargs.items():
            if seen.get(id(value), 0) > 1:
                slot = slots.get(id(value))
                if slot is None:
                    slot = slots[id(value)] = Shared(len(shared))
                    shared.append(value)
                kwargs[key] = slot
            else:
                kwargs[key] = value
        mine = None
        if answers is not None:
            # Only the answers to this call's own questions travel.
            name = call.node.name
            mine = {k: v for k, v in answers.items()
                    if k[:3] == (call.superstep, name, call.instance)}
        jobs.append(Job(fingerprint, call.node.index, kwargs, call.superstep, call.instance,
                        meta, language, mine))
    return jobs, shared


def _worth_sharing(value: Any) -> bool:
    if isinstance(value, _SMALL):
        return False
    if isinstance(value, str | bytes):
        return len(value) > _SMALL_TEXT
    return True
