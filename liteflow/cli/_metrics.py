"""`liteflow run --metrics`: the run's per-node metrics as a table (or as JSON).

A rich `Table` measures display width, so Chinese node names line up with the numbers.
"""

from __future__ import annotations

import argparse
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

from ..core.messages import text
from ..observability import RunMetrics
from ._progress import format_seconds as _format_seconds

__all__ = ["add_metrics_option", "metrics_json", "metrics_table", "print_metrics",
           "with_metrics"]

T = TypeVar("T")


def format_seconds(seconds: float) -> str:
    """Like the run's progress lines, with microseconds for the many sub-millisecond calls."""
    if 0 < seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    return _format_seconds(seconds)


def add_metrics_option(parser: argparse.ArgumentParser) -> None:
    """`--metrics` on a subcommand."""
    parser.add_argument("--metrics", action="store_true", default=argparse.SUPPRESS,
                        help=text("cli.run_option_metrics"))


def with_metrics(target: T, args: argparse.Namespace) -> T:
    """`target` configured to collect metrics when `--metrics` was given (flows and
    builder workflows; a bare `Graph` runs as it is)."""
    if not getattr(args, "metrics", False):
        return target
    configure = getattr(target, "with_options", None)
    return configure(metrics=True) if configure is not None else target


def metrics_table(flow: str, metrics: RunMetrics) -> Table:
    """One row per node: calls, failures, retries, cached, restored, times, tokens."""
    table = Table(title=text("metrics.title", flow=flow), title_justify="left")
    table.add_column(text("metrics.col_node"))
    for key in ("calls", "failures", "retries", "cached", "restored", "total", "mean", "max",
                "tokens_in", "tokens_out"):
        table.add_column(text(f"metrics.col_{key}"), justify="right")
    for name, m in metrics.nodes.items():
        table.add_row(name, str(m.calls), str(m.failures), str(m.retries), str(m.cached),
                      str(m.restored), format_seconds(m.total_s), format_seconds(m.mean_s),
                      format_seconds(m.max_s), str(m.tokens_in), str(m.tokens_out))
    table.caption = text("metrics.summary", supersteps=metrics.supersteps,
                         seconds=format_seconds(metrics.duration),
                         nbytes=metrics.checkpoint_bytes,
                         checkpoint=format_seconds(metrics.checkpoint_s))
    table.caption_justify = "left"
    return table


def print_metrics(console: Console, flow: str, metrics: Any) -> None:
    """Print the table of a run's metrics (nothing when the run collected none)."""
    if isinstance(metrics, RunMetrics):
        console.print(metrics_table(flow, metrics))


def metrics_json(metrics: Any) -> dict[str, Any] | None:
    """The metrics as plain JSON values (for `--json`)."""
    if not isinstance(metrics, RunMetrics):
        return None
    return {"supersteps": metrics.supersteps, "duration": metrics.duration,
            "nodes": {name: m._asdict() for name, m in metrics.nodes.items()},
            "checkpoint_bytes": metrics.checkpoint_bytes,
            "checkpoint_s": metrics.checkpoint_s}
