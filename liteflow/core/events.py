"""Typed run events and the bus that carries them.

With no subscriber the runner does not even build event objects (`EventBus.active`),
so observability costs nothing unless someone listens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import RunResult

__all__ = [
    "CheckpointSaved",
    "CustomEvent",
    "Event",
    "EventBus",
    "EventListener",
    "NodeFailed",
    "NodeFinished",
    "NodeRetrying",
    "NodeStarted",
    "RunFinished",
    "RunInterrupted",
    "RunResumed",
    "RunStarted",
    "SuperStepEvent",
    "TokenEvent",
]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every event: the flow and run it belongs to."""

    flow: str
    run_id: str


@dataclass(frozen=True, slots=True)
class RunStarted(Event):
    thread_id: str | None
    inputs: Mapping[str, Any]
    superstep: int = 0


@dataclass(frozen=True, slots=True)
class RunFinished(Event):
    """The last event of a stream; `.result` is the run's `RunResult`."""

    result: RunResult[Any]


@dataclass(frozen=True, slots=True)
class RunInterrupted(Event):
    """The run paused at questions (or breakpoints) before committing `superstep`."""

    thread_id: str | None
    superstep: int
    interrupts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class RunResumed(Event):
    """A run continues a thread from its last committed `superstep` (`resume()`)."""

    thread_id: str | None
    superstep: int


@dataclass(frozen=True, slots=True)
class CheckpointSaved(Event):
    """Superstep `superstep` was handed to the checkpointer: `nbytes` encoded bytes, in
    `duration` seconds (encoding and, with `durability="sync"`, the commit)."""

    superstep: int
    nbytes: int
    duration: float


@dataclass(frozen=True, slots=True)
class NodeStarted(Event):
    node: str
    superstep: int


@dataclass(frozen=True, slots=True)
class NodeFinished(Event):
    node: str
    superstep: int
    duration: float
    outputs: Mapping[str, Any]
    attempts: int = 1
    # The outputs came from the node cache, or from a call that finished before the run
    # stopped (a crash or an interrupt) and was not run again.
    cached: bool = False
    restored: bool = False


@dataclass(frozen=True, slots=True)
class NodeFailed(Event):
    node: str
    superstep: int
    attempts: int
    error: BaseException


@dataclass(frozen=True, slots=True)
class NodeRetrying(Event):
    node: str
    superstep: int
    attempt: int
    wait: float
    error: BaseException


@dataclass(frozen=True, slots=True, init=False)
class SuperStepEvent(Event):
    """Emitted once per superstep, at its barrier, after the writes are applied.

    Constructible as the design document writes it, `SuperStepEvent(superstep,
    active_nodes, completed_nodes)`; `flow` and `run_id` are then empty.
    """

    superstep: int
    active_nodes: tuple[str, ...]
    completed_nodes: tuple[str, ...]
    written_keys: tuple[str, ...]
    duration: float

    def __init__(
        self,
        superstep: int,
        active_nodes: Iterable[str],
        completed_nodes: Iterable[str],
        written_keys: Iterable[str] = (),
        duration: float = 0.0,
        *,
        flow: str = "",
        run_id: str = "",
    ) -> None:
        init = object.__setattr__  # frozen: assign once, here
        init(self, "flow", flow)
        init(self, "run_id", run_id)
        init(self, "superstep", superstep)
        init(self, "active_nodes", tuple(active_nodes))
        init(self, "completed_nodes", tuple(completed_nodes))
        init(self, "written_keys", tuple(written_keys))
        init(self, "duration", duration)


@dataclass(frozen=True, slots=True)
class CustomEvent(Event):
    """Emitted by a node through `Context.emit(name, data)`."""

    node: str
    superstep: int
    name: str
    data: Any


@dataclass(frozen=True, slots=True)
class TokenEvent(Event):
    """One streamed chunk of a chat model's reply inside a running node."""

    node: str
    superstep: int
    token: str


EventListener = Callable[[Event], None]


class EventBus:
    """Delivers events to subscribers, in subscription order.

    Example::

        bus = EventBus()
        unsubscribe = bus.subscribe(print)
        bus.emit(event)
        unsubscribe()
    """

    __slots__ = ("_listeners",)

    def __init__(self, listeners: tuple[EventListener, ...] = ()) -> None:
        self._listeners: tuple[EventListener, ...] = tuple(listeners)

    @property
    def listeners(self) -> tuple[EventListener, ...]:
        """The subscribed listeners, in order."""
        return self._listeners

    @property
    def active(self) -> bool:
        """True when at least one listener is subscribed."""
        return bool(self._listeners)

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Add `listener`; returns a function that removes it again."""
        # Copy-on-write keeps `emit` lock-free and safe from any thread.
        self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        """Deliver `event` to every listener."""
        for listener in self._listeners:
            listener(event)
