"""Whether tracing is on for every run: `instrument()` / `uninstrument()`.

Nothing here imports OpenTelemetry: checking whether tracing is on costs one read.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["CAPTURE_ENV", "capture_content", "instrument", "instrumented", "uninstrument"]

#: Environment variable that lets spans carry prompt and completion text.
CAPTURE_ENV = "LITEFLOW_OTEL_CAPTURE_CONTENT"

# The tracer provider set by `instrument()`, or None.
_provider: list[Any] = [None]


def instrument(tracer_provider: Any = None) -> None:
    """Trace every run (and chat model and tool calls) from now on, with `tracer_provider`
    (default: OpenTelemetry's global provider). Needs `liteflow[otel]`."""
    if tracer_provider is None:
        from ._tracing import global_provider

        tracer_provider = global_provider()
    _provider[0] = tracer_provider


def uninstrument() -> None:
    """Stop tracing the runs that do not ask for it with `with_options(tracing=True)`."""
    _provider[0] = None


def instrumented() -> Any:
    """The provider `instrument()` set, or None."""
    return _provider[0]


def capture_content() -> bool:
    """Whether prompt and completion text may go into spans (`LITEFLOW_OTEL_CAPTURE_CONTENT=1`)."""
    return os.environ.get(CAPTURE_ENV, "").strip().lower() in ("1", "true", "yes", "on")
