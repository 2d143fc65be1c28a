"""The front door: where a declaration meets the compiler, the engine and the diagrams.

`Drawable` is what `Flow`, `Workflow` and `Graph` share: a name, a compiled plan, the
compiler's diagnostics, the graph and its diagrams. `Runnable` adds the one run surface
(`with_options`, `run`, `arun`, `stream`, `astream`) of `Flow` and `Workflow`.

This is the only module of `definitions` that imports the compiler's graph, the engine
and `diagram` (lazily, so declaring a flow loads none of them); the layer test in
`tests/test_architecture.py` keeps it that way.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Self, TypeVar

from ..core.events import Event, EventListener
from ..core.result import NOTHING
from ..plan import Plan

if TYPE_CHECKING:
    import networkx as nx

    from ..checkpoint import CheckpointInfo
    from ..core.diagnostics import Diagnostic
    from ..core.result import RunResult, Snapshot
    from ..engine.durable import Durable
    from ..engine.executor import Executor
    from ..engine.options import Durability, RunOptions
    from .decl import FlowDecl

__all__ = ["Drawable", "Runnable"]

P = ParamSpec("P")
R = TypeVar("R")

_engine_loop: ModuleType | None = None


def _engine() -> ModuleType:
    """`engine.loop`, imported by the first run (declaring a flow loads no engine); an
    `import` statement in `run` would cost a small flow's run a few percent."""
    global _engine_loop
    if _engine_loop is None:
        from ..engine import loop

        _engine_loop = loop
    return _engine_loop


class Drawable(ABC):
    """A named, compiled flow that can be inspected and drawn."""

    name: str

    @property
    @abstractmethod
    def plan(self) -> Plan:
        """The compiled, immutable execution plan (raises `FlowCompileError` on errors)."""

    @property
    @abstractmethod
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Everything the compiler found (errors and warnings), without raising."""

    @abstractmethod
    def _declaration(self) -> FlowDecl:
        """What was declared, as the compiler reads it."""

    def graph(self) -> nx.DiGraph[str]:
        """A copy of the compiler's networkx graph (node and edge attributes: kind,
        inputs, outputs, condition labels), yours to analyse or change."""
        from ..compiler import graph_of

        return graph_of(self._declaration())

    def to_mermaid(self) -> str:
        """The graph as a Mermaid flowchart (declared edges only, conditions labelled)."""
        from ..diagram import to_mermaid

        return to_mermaid(self.plan)

    def to_dot(self) -> str:
        """The graph in Graphviz DOT."""
        from ..diagram import to_dot

        return to_dot(self.plan)


class Runnable(Drawable, Generic[P, R]):
    """A drawable flow with the run surface. Subclasses say how call arguments become
    the initial state (`_inputs`) and may reshape the result (`_result`)."""

    _options: RunOptions | None = None

    # -- hooks ---------------------------------------------------------------------------

    @abstractmethod
    def _inputs(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The initial state of a run called with `args` and `kwargs`."""

    def _result(self, result: RunResult[Any]) -> RunResult[R]:
        return result

    @abstractmethod
    def _configured(self, options: RunOptions) -> Self:
        """A copy of this object that runs with `options`."""

    # -- options -------------------------------------------------------------------------

    @property
    def options(self) -> RunOptions:
        """The options this object runs with."""
        from ..engine.options import RunOptions

        return self._options or RunOptions()

    def with_options(
        self,
        *,
        thread_id: str | None = None,
        checkpointer: Any = None,
        executor: Executor | None = None,
        context: Mapping[str, Any] | None = None,
        max_supersteps: int | None = None,
        max_concurrency: int | None = None,
        on_event: EventListener | Sequence[EventListener] | None = None,
        language: str | None = None,
        durability: Durability | None = None,
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        metrics: bool | None = None,
        tracing: bool | None = None,
        cache: Any = None,
    ) -> Self:
        """A copy that runs with these options (unset ones are kept). An option that
        cannot be honoured is a `LiteflowError` here, never silently ignored."""
        options = self.options.merged(
            thread_id=thread_id, checkpointer=checkpointer, executor=executor, context=context,
            max_supersteps=max_supersteps, max_concurrency=max_concurrency, on_event=on_event,
            language=language, durability=durability,
            interrupt_before=None if interrupt_before is None else tuple(interrupt_before),
            interrupt_after=None if interrupt_after is None else tuple(interrupt_after),
            metrics=metrics, tracing=tracing, cache=cache)
        for name in (*(options.interrupt_before or ()), *(options.interrupt_after or ())):
            if name not in self.plan.index:
                from ..core.errors import FlowDefinitionError
                from ..core.suggest import did_you_mean

                raise FlowDefinitionError("error.unknown_node", flow=self.name, node=name,
                                          hint=did_you_mean(name, self.plan.index))
        return self._configured(options)

    # -- running -------------------------------------------------------------------------

    def run(self, *args: P.args, **kwargs: P.kwargs) -> RunResult[R]:
        """Run to completion (sync). Inside an event loop use `await ….arun(...)`."""
        engine = _engine_loop or _engine()
        engine.no_running_loop(self.name, "run", "arun")
        return self._result(engine.run_plan(self.plan, self._options,
                                            self._inputs(args, kwargs)))

    async def arun(self, *args: P.args, **kwargs: P.kwargs) -> RunResult[R]:
        """Run to completion."""
        inputs = self._inputs(args, kwargs)
        engine = _engine_loop or _engine()
        return self._result(await engine.arun_plan(self.plan, self._options, inputs))

    def stream(self, *args: P.args, **kwargs: P.kwargs) -> Iterator[Event]:
        """Yield the run's events as they happen (one `SuperStepEvent` per superstep);
        the last one is `RunFinished`."""
        from ..engine.loop import no_running_loop
        from ..engine.stream import iterate_events

        no_running_loop(self.name, "stream", "astream")
        yield from iterate_events(self.astream(*args, **kwargs))

    def resume(self, value: Any = NOTHING, *, from_step: int | None = None,
               update: Mapping[str, Any] | None = None,
               allow_code_change: bool = False) -> RunResult[R]:
        """Continue this thread from its last committed superstep: after a question
        (`value` is the answer, or `{interrupt_id: answer, ...}` when several wait), a
        crash, a Ctrl-C or a failure that was fixed. Nothing committed runs again, and
        calls that had finished in the stopped superstep are reused.

        The answer is checked and stored before anything runs. Under a changed flow it
        fails before running anything: another `version` is a `FlowVersionMismatchError`,
        another shape a `CheckpointMismatchError`; changed code alone is allowed with
        `allow_code_change=True`. `from_step=k` first forks a new branch after step k
        (with `update` applied, as `update_state` would) and runs that branch.
        """
        from ..engine.loop import no_running_loop, run_plan

        no_running_loop(self.name, "resume", "aresume")
        self._travel(from_step, update, "resume")
        return self._result(run_plan(self.plan, self._options, None, resume=True,
                                     allow_code_change=allow_code_change, value=value))

    async def aresume(self, value: Any = NOTHING, *, from_step: int | None = None,
                      update: Mapping[str, Any] | None = None,
                      allow_code_change: bool = False) -> RunResult[R]:
        """Async version of `resume`."""
        import asyncio

        from ..engine.runner import PregelRunner

        await asyncio.to_thread(self._travel, from_step, update, "aresume")
        runner = PregelRunner(self.plan, self._options)
        return self._result(await runner.run(None, resume=True, value=value,
                                             allow_code_change=allow_code_change))

    def _travel(self, from_step: int | None, update: Mapping[str, Any] | None,
                method: str) -> None:
        self._needs_checkpointer(method)
        if from_step is not None:
            self._durable().fork(from_step)
        if update is not None:
            self._durable().update(update, None)

    # -- history and time travel -------------------------------------------------------

    def history(self, branch: str | None = None,
                limit: int | None = None) -> list[CheckpointInfo]:
        """The thread's checkpoints, oldest first (every branch's, or one branch's lineage)."""
        self._needs_checkpointer("history")
        return self._durable().history(branch, limit)

    def state(self, step: int | None = None, branch: str | None = None) -> Snapshot:
        """The thread after superstep `step` (default: now)."""
        self._needs_checkpointer("state")
        return self._durable().snapshot(step, branch)

    def update_state(self, values: Mapping[str, Any], *,
                     as_node: str | None = None) -> CheckpointInfo:
        """Write `values` as a new step, merged with each key's strategy, as if `as_node`
        had returned them (its edges pick what runs next); `resume()` continues from it."""
        self._needs_checkpointer("update_state")
        return self._durable().update(values, as_node)

    def fork(self, step: int) -> Self:
        """Start a new branch after `step` without running it (history is kept); the
        returned flow's `resume()` runs it."""
        self._needs_checkpointer("fork")
        self._durable().fork(step)
        return self

    async def ahistory(self, branch: str | None = None,
                       limit: int | None = None) -> list[CheckpointInfo]:
        """Async version of `history`."""
        import asyncio

        return await asyncio.to_thread(self.history, branch, limit)

    async def astate(self, step: int | None = None, branch: str | None = None) -> Snapshot:
        """Async version of `state`."""
        import asyncio

        return await asyncio.to_thread(self.state, step, branch)

    async def aupdate_state(self, values: Mapping[str, Any], *,
                            as_node: str | None = None) -> CheckpointInfo:
        """Async version of `update_state`."""
        import asyncio

        return await asyncio.to_thread(lambda: self.update_state(values, as_node=as_node))

    def _durable(self) -> Durable:
        import uuid

        from ..engine.durable import Durable

        return Durable(self.plan, self.options, uuid.uuid4().hex)

    def _needs_checkpointer(self, method: str) -> None:
        if self._options is None or self._options.checkpointer is None:
            from ..core.errors import CheckpointError

            raise CheckpointError("checkpoint.needs_checkpointer", flow=self.name, method=method)

    async def astream(self, *args: P.args, **kwargs: P.kwargs) -> AsyncGenerator[Event, None]:
        """Async version of `stream`."""
        from ..core.events import RunFinished
        from ..engine.stream import stream_run

        inputs = self._inputs(args, kwargs)
        async with contextlib.aclosing(stream_run(self.plan, self._options, inputs)) as events:
            async for event in events:
                if isinstance(event, RunFinished):
                    event = RunFinished(event.flow, event.run_id, self._result(event.result))
                yield event
