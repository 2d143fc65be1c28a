"""`CachePolicy`: how a node's results are reused (`@node(cache=True | CachePolicy(...))`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CachePolicy"]


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Reuse a node's outputs for the same inputs and the same node code.

    `ttl`: seconds a result stays valid (None: until the code changes). `key(inputs)`:
    what identifies a call (default: every input), e.g. `lambda i: i["url"]`.
    A hit returns the stored outputs without running the node.
    """

    ttl: float | None = None
    key: Callable[[Mapping[str, Any]], Any] | None = None

    def __post_init__(self) -> None:
        from .errors import FlowDefinitionError

        if self.ttl is not None and self.ttl <= 0:
            raise FlowDefinitionError("error.config_value", option="cache.ttl", value=self.ttl)
        if self.key is not None and not callable(self.key):
            raise FlowDefinitionError("error.not_callable", what="CachePolicy(key=...)",
                                      value=repr(self.key))
