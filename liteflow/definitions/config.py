"""Per-node execution options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.cache import CachePolicy

__all__ = ["CachePolicy", "NodeConfig"]


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Retry, timeout, fallback and type-check options of one node.

    `retry_count=N` allows up to N retries, waiting `retry_delay * backoff**k` seconds
    (capped at `max_delay`) before retry k, and only for exceptions in `retry_on`.
    `timeout` bounds each attempt. `fallback(**inputs, error=exc)` supplies the outputs
    when every attempt failed. `cache` (True or a `CachePolicy`) reuses outputs of calls
    with the same inputs and node code.
    """

    timeout: float | None = None
    retry_count: int = 0
    retry_delay: float = 1.0
    metadata: Mapping[str, Any] = field(default_factory=dict)
    backoff: float = 2.0
    max_delay: float = 60.0
    retry_on: tuple[type[BaseException], ...] = (Exception,)
    fallback: Callable[..., Any] | None = None
    check_types: bool = True
    name: str | None = None
    cache: CachePolicy | bool | None = None  # True means CachePolicy()

    def __post_init__(self) -> None:
        # Validated here so a bad option is reported where it was written.
        from ..core.errors import FlowDefinitionError

        if self.retry_count < 0:
            raise FlowDefinitionError("error.config_value", option="retry_count",
                                      value=self.retry_count)
        for option in ("retry_delay", "backoff", "max_delay"):
            value = getattr(self, option)
            if value < 0:
                raise FlowDefinitionError("error.config_value", option=option, value=value)
        if self.timeout is not None and self.timeout <= 0:
            raise FlowDefinitionError("error.config_value", option="timeout", value=self.timeout)
        if isinstance(self.retry_on, type):
            object.__setattr__(self, "retry_on", (self.retry_on,))
        cache: Any = self.cache
        if cache is True:
            object.__setattr__(self, "cache", CachePolicy())
        elif cache is False:
            object.__setattr__(self, "cache", None)
        elif cache is not None and not isinstance(cache, CachePolicy):
            raise FlowDefinitionError("error.config_value", option="cache", value=cache)
