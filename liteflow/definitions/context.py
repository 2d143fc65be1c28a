"""The run context a node can ask for (see `liteflow.core.context`)."""

from ..core.context import Context, current_context

__all__ = ["Context", "current_context"]
