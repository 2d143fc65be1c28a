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
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Self, TypeVar

from ..core.events import Event, EventListener
from ..plan import Plan

if TYPE_CHECKING:
    import networkx as nx

    from ..core.diagnostics import Diagnostic
    from ..core.result import RunResult
    from ..engine.executor import Executor
    from ..engine.options import Durability, RunOptions
    from .decl import FlowDecl

__all__ = ["Drawable", "Runnable"]

P = ParamSpec("P")
R = TypeVar("R")


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
        return self._configured(options)

    # -- running -------------------------------------------------------------------------

    def run(self, *args: P.args, **kwargs: P.kwargs) -> RunResult[R]:
        """Run to completion (sync). Inside an event loop use `await ….arun(...)`."""
        from ..engine.loop import no_running_loop, run_plan

        no_running_loop(self.name, "run", "arun")
        return self._result(run_plan(self.plan, self._options, self._inputs(args, kwargs)))

    async def arun(self, *args: P.args, **kwargs: P.kwargs) -> RunResult[R]:
        """Run to completion."""
        from ..engine.runner import PregelRunner

        inputs = self._inputs(args, kwargs)
        return self._result(await PregelRunner(self.plan, self._options).run(inputs))

    def stream(self, *args: P.args, **kwargs: P.kwargs) -> Iterator[Event]:
        """Yield the run's events as they happen (one `SuperStepEvent` per superstep);
        the last one is `RunFinished`."""
        from ..engine.loop import no_running_loop
        from ..engine.stream import iterate_events

        no_running_loop(self.name, "stream", "astream")
        yield from iterate_events(self.astream(*args, **kwargs))

    def resume(self, *, allow_code_change: bool = False) -> RunResult[R]:
        """Continue this thread from its last committed superstep (after a crash, a
        Ctrl-C or a failure that was fixed): nothing committed runs again, and calls that
        had finished in the interrupted superstep are reused.

        Under a changed flow it fails before running anything: another `version` is a
        `FlowVersionMismatchError`, another shape a `CheckpointMismatchError`; changed
        code alone is allowed with `allow_code_change=True`.
        """
        from ..engine.loop import no_running_loop, run_plan

        no_running_loop(self.name, "resume", "aresume")
        self._needs_checkpointer("resume")
        return self._result(run_plan(self.plan, self._options, None, resume=True,
                                     allow_code_change=allow_code_change))

    async def aresume(self, *, allow_code_change: bool = False) -> RunResult[R]:
        """Async version of `resume`."""
        from ..engine.runner import PregelRunner

        self._needs_checkpointer("aresume")
        runner = PregelRunner(self.plan, self._options)
        return self._result(await runner.run(None, resume=True,
                                             allow_code_change=allow_code_change))

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
