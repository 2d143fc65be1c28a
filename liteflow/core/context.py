"""What a running node can see of its run: the `Context` object."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from threading import get_ident
from typing import Any

from .errors import InterruptNotSupportedError
from .events import CustomEvent, EventBus, TokenEvent

__all__ = ["Context", "NodeInterrupt", "RunInfo", "current_context", "interrupt_id", "run_of"]


class RunInfo:
    """Facts of one run shared by every node call in it (built once per run)."""

    __slots__ = ("answers", "asked", "branch", "bus", "deps", "flow", "hooks", "limit",
                 "parent", "plan", "run_id", "thread_id")

    def __init__(
        self,
        *,
        run_id: str,
        thread_id: str | None,
        flow: str,
        deps: Mapping[str, Any],
        bus: EventBus,
        branch: str = "main",
        plan: Any = None,
    ) -> None:
        self.run_id = run_id
        self.thread_id = thread_id
        self.flow = flow
        self.deps = deps
        self.bus = bus
        self.branch = branch
        # The `Plan` being run, for executors that ship it elsewhere (core cannot name it).
        self.plan = plan
        # Stored answers by (superstep, node, instance, seq); None: the run has no
        # checkpointer, so it cannot pause.
        self.answers: Mapping[tuple[int, str, int, int], Any] | None = None
        # How many times each call (superstep, node, instance, attempt) asked so far.
        self.asked: dict[tuple[int, str, int, int], int] = {}
        # In a flow run as a node of another: that node's context, which asks for it.
        self.parent: Context | None = None
        # Metrics and tracing (`liteflow.observability`), None when both are off: the
        # engine then makes no call for them at all.
        self.hooks: Any = None
        # `max_concurrency`: the run's `engine.limits.CallLimit` (shared with its subflows),
        # None when calls are not limited.
        self.limit: Any = None


class NodeInterrupt(BaseException):
    """Raised by `Context.interrupt` when no answer is stored: the run pauses here.

    A `BaseException`, like `KeyboardInterrupt`: a node's own `except Exception`, its
    `retry_on` and its `fallback` never catch it, and it is not a failure.
    """

    def __init__(self, node: str, instance: int, seq: int, payload: Any,
                 expect: Any = None, path: str = "") -> None:
        super().__init__(node, seq)
        self.node = node
        self.instance = instance
        self.seq = seq
        self.payload = payload
        self.expect = expect
        self.path = path  # inside a subflow: the inner node(s) that asked, "内/审批"


def interrupt_id(node: str, instance: int, seq: int, superstep: int, mapped: bool,
                 path: str = "") -> str:
    """The readable, stable id of one question: `审批#0@3`, in an `each`: `审批[2]#0@3`,
    asked inside the subflow node `外层`: `外层/审批#0@3`."""
    where = f"[{instance}]" if mapped else ""
    inner = f"/{path}" if path else ""
    return f"{node}{where}{inner}#{seq}@{superstep}"


class Context:
    """The run context, injected into a node parameter annotated `Context`.

    Attributes: `run_id`, `thread_id`, `flow`, `node`, `superstep`, `attempt`, `instance`
    (the element's index inside an `each`, else 0), `deps` (the `context=` mapping given
    to `with_options`) and `idempotency_key`.
    """

    __slots__ = ("_run", "attempt", "instance", "node", "superstep")

    def __init__(self, run: RunInfo, node: str, superstep: int, attempt: int = 1,
                 instance: int = 0) -> None:
        self._run = run
        self.node = node
        self.superstep = superstep
        self.attempt = attempt
        self.instance = instance

    @property
    def idempotency_key(self) -> str:
        """The same string every time this call runs again (after a crash, an interrupt or
        a retry) and different for every other call: thread (or run), branch, superstep,
        node and instance. Use it to deduplicate side effects (payments, emails)."""
        run = self._run
        owner = run.thread_id if run.thread_id is not None else run.run_id
        return f"{owner}/{run.branch}/{self.superstep}/{self.node}/{self.instance}"

    @property
    def run_id(self) -> str:
        return self._run.run_id

    @property
    def thread_id(self) -> str | None:
        return self._run.thread_id

    @property
    def flow(self) -> str:
        return self._run.flow

    @property
    def deps(self) -> Mapping[str, Any]:
        return self._run.deps

    def emit(self, name: str, data: Any = None) -> None:
        """Publish a custom event on the run's stream."""
        bus = self._run.bus
        if bus.active:
            bus.emit(CustomEvent(self._run.flow, self._run.run_id, self.node, self.superstep,
                                 name, data))

    def emit_token(self, token: str) -> None:
        """Publish one streamed chunk of a model's reply, tagged with this node."""
        bus = self._run.bus
        if bus.active:
            bus.emit(TokenEvent(self._run.flow, self._run.run_id, self.node, self.superstep,
                                token))

    def interrupt(self, payload: Any, expect: Any = None) -> Any:
        """Ask a person: pause the run with `payload`; returns the answer given to `resume`.

        The node runs again from its start when the answer arrives, and this call then
        returns it (a second `interrupt` in the same node asks the next question). With
        `expect=` (a type, TypedDict or pydantic model) the answer is checked in
        `resume()`, before anything runs. Needs a checkpointer to keep the paused run.
        """
        run = self._run
        if run.parent is not None:
            # Asked inside a subflow: the node running the subflow asks, and its run keeps
            # the question and the answer.
            try:
                return run.parent.interrupt(payload, expect)
            except NodeInterrupt as asked:
                asked.path = f"{self.node}/{asked.path}" if asked.path else self.node
                raise
        if run.answers is None:
            raise InterruptNotSupportedError(flow=self.flow, node=self.node)
        call = (self.superstep, self.node, self.instance, self.attempt)
        seq = run.asked.get(call, 0)
        run.asked[call] = seq + 1
        key = (self.superstep, self.node, self.instance, seq)
        if key in run.answers:
            answer = run.answers[key]
            # A pydantic model is stored as its fields and handed back as the model.
            validate = getattr(expect, "model_validate", None)
            return validate(answer) if validate is not None else answer
        raise NodeInterrupt(self.node, self.instance, seq, payload, expect)

    def __repr__(self) -> str:
        return (f"Context(flow={self.flow!r}, node={self.node!r}, superstep={self.superstep}, "
                f"attempt={self.attempt}, run_id={self.run_id!r})")


def run_of(ctx: Context) -> RunInfo:
    """The run a context belongs to (for the engine: nested runs share it)."""
    return ctx._run


class CallCell:
    """Which node call a thread or task is in: what `current_context()` reads.

    A context variable set and reset around every call would cost a fifth of a chain's
    superstep. So a runner (and each pool worker) sets one cell per run, and a call only
    updates its fields. A cell belongs to the thread that made it; anywhere else (or
    inside a call already) a call sets a fresh cell of its own.
    """

    __slots__ = ("attempt", "busy", "instance", "node", "owner", "run", "superstep")

    def __init__(self, run: RunInfo | None = None, node: str = "", superstep: int = 0,
                 attempt: int = 1, busy: bool = False, instance: int = 0) -> None:
        self.run = run
        self.node = node
        self.superstep = superstep
        self.attempt = attempt
        self.busy = busy
        self.instance = instance
        self.owner = get_ident()


# Set by the engine, so code deep inside a node (a chat model streaming tokens, say) can
# reach the run without a parameter.
current_call: ContextVar[CallCell | None] = ContextVar("liteflow_current_call", default=None)


def current_context() -> Context | None:
    """The `Context` of the node running in this task or thread, or None outside a run."""
    cell = current_call.get()
    if cell is None or not cell.busy or cell.run is None:
        return None
    return Context(cell.run, cell.node, cell.superstep, cell.attempt, cell.instance)
