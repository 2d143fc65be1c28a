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
from typing import TextIO

from .messages import text

__all__ = ["enable_logging", "log_run_finished", "log_run_started", "logger"]

logger = logging.getLogger("liteflow")
logger.addHandler(logging.NullHandler())


def log_run_started(flow: str) -> None:
    """`🚀 工作流 X 开始执行` / `🚀 Workflow X started` at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_started", flow=flow))


def log_run_finished(flow: str, seconds: float) -> None:
    """`✅ 工作流 X 完成，耗时 1.23s` / `✅ Workflow X finished in 1.23s` at INFO."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(text("log.run_finished", flow=flow, seconds=seconds))


def enable_logging(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Print liteflow's log lines to `stream` (default: stderr); returns the handler added."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler
