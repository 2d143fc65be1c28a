"""Terminal output of a run: supersteps as they happen, result tables, JSON.

Tables are rich `Table`s, which measure display width, so Chinese names line up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.pretty import Pretty
from rich.status import Status
from rich.table import Table
from rich.text import Text

from ..core.events import Event, NodeFinished, RunStarted, SuperStepEvent
from ..core.messages import text

__all__ = ["StatusLine", "SuperstepPrinter", "format_seconds", "jsonable", "mapping_table"]


def format_seconds(seconds: float) -> str:
    """`12.3 ms` below a second, `1.23 s` above."""
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


@dataclass
class _Step:
    """What the nodes of one superstep did: calls, longest duration, keys written."""

    calls: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    writes: dict[str, dict[str, None]] = field(default_factory=dict)


class SuperstepPrinter:
    """An event listener printing each superstep of one run as aligned rows.

    Columns: superstep, node (with `×n` for `each` instances), time, keys written.
    Only the outermost run is shown; nested flows appear as one node.
    """

    def __init__(self, console: Console, node_names: Iterable[str]) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._run_id: str | None = None
        self._steps: dict[int, _Step] = {}
        self._headers = (text("cli.run_col_superstep"), text("cli.run_col_node"),
                         text("cli.run_col_time"), text("cli.run_col_writes"))
        names = list(node_names)
        self._widths = (
            max(cell_len(self._headers[0]), 4),
            min(max([cell_len(self._headers[1]), *(cell_len(n) + 4 for n in names)]), 40),
            max(cell_len(self._headers[2]), 10),
        )
        self._printed_header = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            if self._run_id is None:
                self._run_id = event.run_id
            return
        if event.run_id != self._run_id:
            return
        if isinstance(event, NodeFinished):
            # Sync nodes report from worker threads.
            with self._lock:
                step = self._steps.setdefault(event.superstep, _Step())
                step.calls[event.node] = step.calls.get(event.node, 0) + 1
                step.seconds[event.node] = max(step.seconds.get(event.node, 0.0),
                                               event.duration)
                step.writes.setdefault(event.node, {}).update(dict.fromkeys(event.outputs))
        elif isinstance(event, SuperStepEvent):
            with self._lock:
                step = self._steps.pop(event.superstep, _Step())
            self._print(event, step)

    def _print(self, event: SuperStepEvent, step: _Step) -> None:
        table = Table(box=None, show_header=not self._printed_header, show_edge=False,
                      pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
        for header, width in zip(self._headers, self._widths, strict=False):
            table.add_column(header, width=width, no_wrap=True)
        table.add_column(self._headers[3], overflow="fold")
        for i, name in enumerate(dict.fromkeys(event.completed_nodes)):
            calls = step.calls.get(name, 0)
            label = name if calls <= 1 else f"{name} ×{calls}"
            seconds = step.seconds.get(name)
            table.add_row(
                str(event.superstep) if i == 0 else "",
                Text(label, style="cyan"),
                format_seconds(seconds) if seconds is not None else "",
                ", ".join(step.writes.get(name, {})) or "—",
            )
        self._printed_header = True
        self.console.print(table)


class StatusLine:
    """An event listener keeping a terminal spinner's text on the latest superstep."""

    def __init__(self, status: Status, flow: str) -> None:
        self.status = status
        self.flow = flow
        self._run_id: str | None = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted) and self._run_id is None:
            self._run_id = event.run_id
        elif isinstance(event, SuperStepEvent) and event.run_id == self._run_id:
            self.status.update(text("cli.run_progress", flow=self.flow,
                                    superstep=event.superstep,
                                    nodes=", ".join(event.completed_nodes)))


def mapping_table(title: str, values: Mapping[str, Any]) -> Table:
    """A key/value table; strings are shown as they are, other values pretty-printed."""
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    table.add_column(text("cli.run_col_key"), style="cyan", no_wrap=True)
    table.add_column(text("cli.run_col_value"), overflow="fold")
    for key, value in values.items():
        table.add_row(key, value if isinstance(value, str) else Pretty(value))
    return table


def jsonable(value: Any) -> Any:
    """`json.dumps(default=...)`: sets and tuples as lists, `to_dict()` objects, else str."""
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        return model_dump()
    return str(value)
