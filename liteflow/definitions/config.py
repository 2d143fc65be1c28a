"""Per-node execution options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.cache import CachePolicy

__all__ = ["CachePolicy", "NodeConfig", "RetryOn"]

# What `retry_on` accepts: exception types, or a predicate that sees the failure (never an
# interrupt or a cancellation: those are no failures) and says whether to retry.
RetryOn = tuple[type[BaseException], ...] | type[BaseException] | Callable[[Exception], bool]


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """Retry, timeout, fallback and type-check options of one node.

    `retry_count=N` allows up to N retries, waiting `retry_delay * backoff**k` seconds
    (capped at `max_delay`) plus a random `0..jitter` seconds before retry k, and only
    for exceptions in `retry_on` (types), or those for which `retry_on(exc)` (a predicate)
    is true.
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
    retry_on: RetryOn = (Exception,)
    fallback: Callable[..., Any] | None = None
    check_types: bool = True
    name: str | None = None
    cache: CachePolicy | bool | None = None  # True means CachePolicy()
    jitter: float = 0.0

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
        _check_retry_options(self)
        if isinstance(self.retry_on, type):
            object.__setattr__(self, "retry_on", (self.retry_on,))
        cache: Any = self.cache
        if cache is True:
            object.__setattr__(self, "cache", CachePolicy())
        elif cache is False:
            object.__setattr__(self, "cache", None)
        elif cache is not None and not isinstance(cache, CachePolicy):
            raise FlowDefinitionError("error.config_value", option="cache", value=cache)


def _check_retry_options(config: NodeConfig) -> None:
    """`jitter` is a number >= 0; `retry_on` exception types or a predicate (not a class)."""
    from ..core.errors import FlowDefinitionError

    def bad(what: str, value: Any) -> FlowDefinitionError:
        if config.name is None:
            return FlowDefinitionError(f"error.config_{what}", value=value)
        return FlowDefinitionError(f"error.node_{what}", node=config.name, value=value)

    jitter = config.jitter
    if isinstance(jitter, bool) or not isinstance(jitter, int | float) or not jitter >= 0:
        raise bad("jitter", jitter)
    retry_on: Any = config.retry_on
    if isinstance(retry_on, tuple):
        if not all(_exception_type(t) for t in retry_on):
            raise bad("retry_on", retry_on)
    elif isinstance(retry_on, type):
        if not _exception_type(retry_on):
            raise bad("retry_on", retry_on)
    elif not callable(retry_on):
        raise bad("retry_on", retry_on)


def _exception_type(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseException)

