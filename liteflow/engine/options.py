"""`RunOptions`: how a flow runs, never mixed with its inputs (`with_options`).

Every option is checked here, when it is given, so a mistake is a clear error at
`with_options` rather than a surprise in the middle of a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..core.errors import FlowDefinitionError
from ..core.events import EventListener
from .executor import Executor, LocalExecutor

__all__ = ["Durability", "RunOptions"]

Durability = Literal["sync", "async", "exit"]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a flow (see `Flow.with_options`). Unset options are None."""

    thread_id: str | None = None
    checkpointer: Any = None
    executor: Executor | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    max_supersteps: int | None = None
    max_concurrency: int | None = None
    on_event: EventListener | Sequence[EventListener] | None = None
    language: str | None = None
    durability: Durability | None = None
    interrupt_before: tuple[str, ...] | None = None
    interrupt_after: tuple[str, ...] | None = None
    metrics: bool | None = None
    tracing: bool | None = None
    cache: Any = None

    def merged(self, **changes: Any) -> RunOptions:
        """A copy with `changes` applied and checked; a change of None keeps the value."""
        given = {k: v for k, v in changes.items() if v is not None}
        for name, value in given.items():
            _check(name, value)
        executor = given.get("executor", self.executor)
        if given.get("max_concurrency", self.max_concurrency) is not None \
                and executor is not None and not isinstance(executor, LocalExecutor):
            # Another executor runs the calls elsewhere: it could not keep to the bound.
            raise FlowDefinitionError("error.max_concurrency_executor",
                                      executor=type(executor).__name__)
        for store in ("checkpointer", "cache"):
            if store in given:
                # A URL becomes its store once, here: an unknown scheme or an unusable path
                # is an error now, and every run of this configuration shares the store.
                from .durable import open_store

                given[store] = open_store(given[store])
        return replace(self, **given)

    def listeners(self) -> tuple[EventListener, ...]:
        if self.on_event is None:
            return ()
        if callable(self.on_event):
            return (self.on_event,)
        return tuple(self.on_event)


OPTION_NAMES = tuple(f.name for f in fields(RunOptions))


def _check(name: str, value: Any) -> None:
    if name == "max_concurrency" and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
        raise FlowDefinitionError("error.max_concurrency_value", value=value)
    # A class has an `execute` attribute too: only an instance can run calls.
    if name == "executor" and (isinstance(value, type) or not isinstance(value, Executor)):
        raise FlowDefinitionError("error.bad_executor", value=repr(value))
    if name == "max_supersteps" and (not isinstance(value, int) or value < 1):
        raise FlowDefinitionError("error.config_value", option=name, value=value)
    if name == "on_event" and not callable(value) and not (
            isinstance(value, Sequence) and all(callable(v) for v in value)):
        raise FlowDefinitionError("error.config_value", option=name, value=value)
    if name in ("metrics", "tracing") and not isinstance(value, bool):
        raise FlowDefinitionError("error.config_value", option=name, value=value)
    if name == "tracing" and value:
        _check_otel()
    if name == "durability" and value not in ("sync", "async", "exit"):
        raise FlowDefinitionError("error.config_value", option=name, value=value)
    if name == "thread_id" and (not isinstance(value, str) or not value):
        raise FlowDefinitionError("error.config_value", option=name, value=value)


def _check_otel() -> None:
    """`tracing=True` needs the OpenTelemetry API (`liteflow[otel]`): say so now."""
    try:
        import opentelemetry.trace  # noqa: F401
    except ImportError:
        raise FlowDefinitionError("error.tracing_needs_otel") from None
