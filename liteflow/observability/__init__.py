"""Observability: per-node run metrics and OpenTelemetry tracing.

`with_options(metrics=True)` fills `RunResult.metrics`; `with_options(tracing=True)`
traces a run with OpenTelemetry's global tracer provider, `instrument(tracer_provider=...)`
every run (extra `liteflow[otel]`). Importing this module does not import OpenTelemetry.
"""

from ._metrics import NodeMetrics, RunMetrics
from ._state import CAPTURE_ENV, instrument, instrumented, uninstrument

__all__ = ["CAPTURE_ENV", "NodeMetrics", "RunMetrics", "instrument", "instrumented",
           "uninstrument"]
