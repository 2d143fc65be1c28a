"""The `liteflow` logger: catalog messages in the run's language.

liteflow logs through the standard `logging` module under the name "liteflow" and,
like any library, adds no handler of its own; `enable_logging()` is a shortcut for
scripts that just want to see the lines::

    from liteflow.core.logger import enable_logging
    enable_logging()          # 🚀 工作流 数据分析 开始执行 … ✅ 工作流 数据分析 完成，耗时 0.01s
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from .messages import text

__all__ = ["enable_logging", "log_node_failed", "log_node_retrying", "log_run_failed",
           "log_run_finished", "log_run_interrupted", "log_run_resumed", "log_run_started",
           "logger"]

logger = logging.getLogger("liteflow")
logger.addHandler(logging.NullHandler())


# Every record carries `flow` (and `run_id`, `node`, `superstep` where there is one) as
# `extra` fields, for structured handlers (JSON logs and the like).


def log_run_started(flow: str, run_id: str | None = None) -> None:
    """`🚀 工作流 X 开始执行` / `🚀 Workflow X started` at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_started", flow=flow), extra={"flow": flow, "run_id": run_id})


def log_run_finished(flow: str, seconds: float, run_id: str | None = None,
                     supersteps: int | None = None) -> None:
    """`✅ 工作流 X 完成，耗时 1.23s` / `✅ Workflow X finished in 1.23s` at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_finished", flow=flow, seconds=seconds),
                    extra={"flow": flow, "run_id": run_id, "supersteps": supersteps})


def log_run_resumed(flow: str, superstep: int, thread: str | None,
                    run_id: str | None = None) -> None:
    """A run continuing a thread, at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_resumed", flow=flow, superstep=superstep, thread=thread),
                    extra={"flow": flow, "run_id": run_id, "superstep": superstep})


def log_run_interrupted(flow: str, superstep: int, ids: Sequence[str],
                        run_id: str | None = None) -> None:
    """A run paused at questions or breakpoints, at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_interrupted", flow=flow, superstep=superstep,
                         ids=", ".join(ids)),
                    extra={"flow": flow, "run_id": run_id, "superstep": superstep})


def log_run_failed(flow: str, seconds: float, error: BaseException,
                   run_id: str | None = None) -> None:
    """A run that stopped on an error, at ERROR."""
    if logger.isEnabledFor(logging.ERROR):
        logger.error(text("log.run_failed", flow=flow, seconds=seconds, error=_short(error)),
                     extra={"flow": flow, "run_id": run_id})


def log_node_retrying(flow: str, node: str, superstep: int, attempt: int, wait: float,
                      error: BaseException) -> None:
    """A failed attempt that will be retried, at WARNING."""
    if logger.isEnabledFor(logging.WARNING):
        logger.warning(text("log.node_retrying", flow=flow, node=node, superstep=superstep,
                            attempt=attempt, wait=wait, error=_short(error)),
                       extra={"flow": flow, "node": node, "superstep": superstep,
                              "attempt": attempt})


def log_node_failed(flow: str, node: str, superstep: int, attempts: int,
                    error: BaseException) -> None:
    """A node whose attempts (and fallback) all failed, at ERROR."""
    if logger.isEnabledFor(logging.ERROR):
        logger.error(text("log.node_failed", flow=flow, node=node, superstep=superstep,
                          attempts=attempts, error=_short(error)),
                     extra={"flow": flow, "node": node, "superstep": superstep,
                            "attempt": attempts})


def _short(error: BaseException) -> str:
    render = getattr(error, "render", None)
    detail = render() if callable(render) else str(error)
    return f"{type(error).__name__}: {detail}"[:500]


def enable_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Print liteflow's log lines to `stream` (default: stderr); returns the handler added."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler
