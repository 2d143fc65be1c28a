"""The exception hierarchy. Every liteflow exception derives from `LiteflowError`.

Messages come from the catalog (`liteflow.core.messages`) by id, so each one exists in
Chinese and English; `str(err)` uses the language in force when it was raised and
`err.render("zh" | "en")` gives either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from .messages import current_language, text

if TYPE_CHECKING:
    from .diagnostics import Diagnostic

__all__ = [
    "ConditionError",
    "EventLoopError",
    "FlowCompileError",
    "FlowDefinitionError",
    "FlowInputError",
    "FlowOutputError",
    "InterruptNotSupportedError",
    "LiteflowError",
    "NodeError",
    "NodeInputError",
    "NodeTimeoutError",
    "NodeTypeError",
    "RouteError",
    "StateConflictError",
    "SuperstepLimitError",
]


class LiteflowError(Exception):
    """Root of every liteflow exception; carries a catalog id and named fields."""

    msg_id: ClassVar[str] = "error.generic"

    def __init__(self, msg_id: str | None = None, /, **fields: Any) -> None:
        self.msg_id = msg_id or type(self).msg_id  # type: ignore[misc]
        self.fields: dict[str, Any] = fields
        self.language = current_language()
        super().__init__(self.render(self.language))

    def render(self, language: str | None = None) -> str:
        """The message in `language` ("zh" or "en"; default: the language at raise time)."""
        return text(self.msg_id, language or self.language, **self.fields)

    def __str__(self) -> str:
        return self.render(self.language)

    # The names every message is about; None where it does not apply.
    @property
    def flow(self) -> str | None:
        return self.fields.get("flow")

    @property
    def node(self) -> str | None:
        return self.fields.get("node")

    @property
    def key(self) -> str | None:
        return self.fields.get("key")


class FlowDefinitionError(LiteflowError):
    """Misuse of the wiring DSL or of a decorator, found while the flow is declared."""


class FlowCompileError(LiteflowError):
    """The compiler found errors; `.diagnostics` lists all of them."""

    msg_id = "error.compile"

    def __init__(self, flow: str, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__(
            self.msg_id, flow=flow, count=len(diagnostics), details=_Details(diagnostics)
        )


class _Details:
    """Formats the diagnostics list lazily in the message's language."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = diagnostics

    def __format__(self, spec: str) -> str:
        return "".join("\n  " + d.format(current_language()) for d in self.diagnostics)


class FlowInputError(LiteflowError):
    """`run()` was given an unknown input or is missing a required one."""


class FlowOutputError(LiteflowError):
    """A completed run did not produce a required flow output."""

    msg_id = "error.flow_output_missing"


class EventLoopError(LiteflowError):
    """A sync entry point (`run`, `stream`) was called inside a running event loop."""

    msg_id = "error.event_loop"


class NodeInputError(LiteflowError):
    """A node's required input is not in the state when it runs."""

    msg_id = "error.node_input_missing"


class NodeTypeError(LiteflowError):
    """A node input or output violates its declared type, or an undeclared key was returned.

    Never retried: running the same code again will not fix a type error.
    """

    msg_id = "error.node_type"


class NodeTimeoutError(LiteflowError):
    """One attempt of a node exceeded its `timeout`."""

    msg_id = "error.node_timeout"


class NodeError(LiteflowError):
    """A node failed after all its attempts; the original exception is `__cause__`."""

    msg_id = "error.node_failed"

    def __init__(self, *, flow: str, node: str, superstep: int, attempts: int, error: str) -> None:
        self.superstep = superstep
        self.attempts = attempts
        super().__init__(
            self.msg_id, flow=flow, node=node, superstep=superstep, attempts=attempts, error=error
        )


class StateConflictError(LiteflowError):
    """A key with the RAISE strategy got a second, different write."""

    msg_id = "error.state_conflict"


class SuperstepLimitError(LiteflowError):
    """The run exceeded `max_supersteps`; `.active` names the nodes still running."""

    msg_id = "error.superstep_limit"

    def __init__(
        self, *, flow: str, limit: int, active: Sequence[str], state: Mapping[str, Any]
    ) -> None:
        self.active = tuple(active)
        self.state = state
        super().__init__(self.msg_id, flow=flow, limit=limit, nodes=", ".join(self.active))


class ConditionError(LiteflowError):
    """A `.when` condition or a `route` selector raised; the original is `__cause__`."""

    msg_id = "error.condition_failed"


class RouteError(LiteflowError):
    """A `route` selector returned a key that is not in its mapping."""

    msg_id = "error.route_unknown_key"


class InterruptNotSupportedError(LiteflowError):
    """`Context.interrupt` was called in a run without a checkpointer."""

    msg_id = "error.interrupt_needs_checkpointer"


# --------------------------------------------------------------------------------------------
# Components: tools, the calculator, chat models and agents (`liteflow.components`).
# --------------------------------------------------------------------------------------------


class ToolError(LiteflowError):
    """Base of every error about a tool: its definition, its arguments or its run."""

    msg_id = "tool.failed"

    @property
    def tool(self) -> str | None:
        return self.fields.get("tool")


class ToolDefinitionError(ToolError):
    """A function or `BaseTool` cannot become a tool, or a name is registered twice."""

    msg_id = "tool.bad_signature"


class UnknownToolError(ToolError):
    """No tool of that name is registered; `.suggestion` is the closest name, if any."""

    msg_id = "tool.unknown"

    @property
    def suggestion(self) -> str | None:
        return self.fields.get("suggestion")


class ToolArgumentError(ToolError):
    """The arguments do not match the tool's schema; `.problems` lists every issue found."""

    msg_id = "tool.argument_invalid"

    def __init__(self, msg_id: str | None = None, /, **fields: Any) -> None:
        self.problems: tuple[Mapping[str, Any], ...] = tuple(fields.pop("problems", ()))
        super().__init__(msg_id, **fields)


class ToolExecutionError(ToolError):
    """The tool itself raised; the original exception is `__cause__`."""

    msg_id = "tool.failed"


class CalculatorError(ToolExecutionError):
    """The calculator refused or could not evaluate an expression."""

    msg_id = "calc.syntax"


class ChatModelError(LiteflowError):
    """A chat model call failed (after the SDK's retries); the SDK error is `__cause__`."""

    msg_id = "chat.failed"

    @property
    def model(self) -> str | None:
        return self.fields.get("model")

    @property
    def status_code(self) -> int | None:
        return self.fields.get("status")


class StructuredOutputError(ChatModelError):
    """The model's reply does not validate against the requested output type."""

    msg_id = "chat.structured_invalid"


class AgentError(LiteflowError):
    """A tool-calling agent could not finish (e.g. it hit its turn limit)."""

    msg_id = "agent.turn_limit"


__all__ += [
    "AgentError",
    "CalculatorError",
    "ChatModelError",
    "StructuredOutputError",
    "ToolArgumentError",
    "ToolDefinitionError",
    "ToolError",
    "ToolExecutionError",
    "UnknownToolError",
]


# --------------------------------------------------------------------------------------------
# Durable execution: checkpoint stores, the serializer, threads and resume.
# --------------------------------------------------------------------------------------------


class CheckpointError(LiteflowError):
    """A checkpoint store cannot be opened or used; the message names the URL (no password)."""

    msg_id = "checkpoint.failed"

    @property
    def thread(self) -> str | None:
        return self.fields.get("thread")

    @property
    def url(self) -> str | None:
        return self.fields.get("url")


class CheckpointEncodeError(CheckpointError):
    """A written value cannot be encoded; names node, key, `$.path` inside the value and type."""

    msg_id = "checkpoint.encode"

    @property
    def path(self) -> str | None:
        return self.fields.get("path")

    @property
    def type_name(self) -> str | None:
        return self.fields.get("type")


class CheckpointDecodeError(CheckpointError):
    """Stored bytes are not a valid checkpoint, or a node would receive an unrestorable value."""

    msg_id = "checkpoint.decode"


class ThreadConflictError(CheckpointError):
    """Another run moved the thread's head first; this run wrote nothing."""

    msg_id = "checkpoint.conflict"


class ThreadNotFinishedError(CheckpointError):
    """`run()` on a thread whose last run is interrupted or unfinished: call `.resume()`."""

    msg_id = "checkpoint.not_finished"


class FlowVersionMismatchError(CheckpointError):
    """The thread was created by another `version` of the flow."""

    msg_id = "checkpoint.version_mismatch"


class CheckpointMismatchError(CheckpointError):
    """The flow's shape (or only its code) changed since the thread was checkpointed.

    `.added` and `.removed` list the names (nodes, keys) that differ.
    """

    msg_id = "checkpoint.shape_mismatch"

    def __init__(self, msg_id: str | None = None, /, **fields: Any) -> None:
        self.added: tuple[str, ...] = tuple(fields.pop("added", ()))
        self.removed: tuple[str, ...] = tuple(fields.pop("removed", ()))
        fields["added"] = ", ".join(self.added) or "-"
        fields["removed"] = ", ".join(self.removed) or "-"
        super().__init__(msg_id, **fields)


class ResumeValueError(CheckpointError):
    """A resume answer does not match the interrupt's `expect=` type; nothing was stored."""

    msg_id = "checkpoint.resume_value"


class AmbiguousResumeError(CheckpointError):
    """A bare resume value while several interrupts are pending; `.ids` lists them."""

    msg_id = "checkpoint.ambiguous_resume"

    def __init__(self, msg_id: str | None = None, /, **fields: Any) -> None:
        self.ids: tuple[str, ...] = tuple(fields.pop("ids", ()))
        fields["ids"] = ", ".join(self.ids)
        super().__init__(msg_id, **fields)


class ExecutorError(LiteflowError):
    """A distributed executor cannot run a call: not installed, code that differs between
    driver and workers, options or dependencies it cannot ship, a call no worker can take."""

    msg_id = "executor.failed"


__all__ += [
    "AmbiguousResumeError",
    "CheckpointDecodeError",
    "CheckpointEncodeError",
    "CheckpointError",
    "CheckpointMismatchError",
    "ExecutorError",
    "FlowVersionMismatchError",
    "ResumeValueError",
    "ThreadConflictError",
    "ThreadNotFinishedError",
]


class ToolTimeoutError(ToolExecutionError):
    """A tool call took longer than the tool's `timeout`; a sync call still running is
    abandoned in its daemon thread."""

    msg_id = "tool.timeout"


__all__ += ["ToolTimeoutError"]


# --------------------------------------------------------------------------------------------
# The local web page (`liteflow ui`).
# --------------------------------------------------------------------------------------------


class UIError(LiteflowError):
    """A request the local web page's server cannot honour; the message says why."""

    msg_id = "ui.failed"


__all__ += ["UIError"]


# --------------------------------------------------------------------------------------------
# Retry options.
# --------------------------------------------------------------------------------------------


class RetryPredicateError(NodeError):
    """A node's `retry_on` predicate raised while deciding whether to retry a failure
    (`failure` names it); the predicate's exception is the `__cause__`."""

    msg_id = "error.retry_predicate_failed"

    def __init__(self, *, flow: str, node: str, superstep: int, attempts: int, error: str,
                 failure: str = "") -> None:
        self.failure = failure
        self.superstep = superstep
        self.attempts = attempts
        LiteflowError.__init__(self, self.msg_id, flow=flow, node=node, superstep=superstep,
                               attempts=attempts, error=error, failure=failure)


__all__ += ["RetryPredicateError"]
