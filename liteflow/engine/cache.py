"""The node cache: outputs of `@node(cache=...)` calls, reused for the same inputs and code.

Results live in the run's checkpointer, else in `with_options(cache=...)`, else in a store
in this process's memory. A key is the node's name and code fingerprint plus its inputs
(or `CachePolicy.key(inputs)`), encoded with the checkpoint codec, so equal inputs give
equal keys in every process.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..plan import PlanNode, code_fingerprint

if TYPE_CHECKING:
    from ..checkpoint import Checkpointer

__all__ = ["NodeCache", "process_cache"]

_PROCESS: list[Checkpointer] = []
_LOCK = threading.Lock()


def process_cache() -> Checkpointer:
    """The in-memory store of cached results for runs with nowhere else to keep them."""
    with _LOCK:
        if not _PROCESS:
            from ..checkpoint import MemoryCheckpointer

            _PROCESS.append(MemoryCheckpointer())
        return _PROCESS[0]


class NodeCache:
    """Looks up and stores the outputs of cached calls in one store."""

    def __init__(self, store: Checkpointer, flow: str) -> None:
        self.store = store
        self.flow = flow
        self._codes: dict[str, str] = {}

    def key(self, node: PlanNode, kwargs: Mapping[str, Any]) -> str:
        policy = node.cache
        assert policy is not None
        inputs = {k: v for k, v in kwargs.items() if k != node.context_param}
        basis = policy.key(inputs) if policy.key is not None else inputs
        code = self._codes.get(node.name)
        if code is None:
            code = self._codes[node.name] = code_fingerprint(node.fn)
        encoded = self.store.serde.encode(basis, key="cache", node=node.name, flow=self.flow)
        digest = hashlib.sha256(encoded)
        digest.update(f"|{self.flow}|{node.name}|{code}".encode())
        return digest.hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        found = self.store.get_cached(key)
        if found is None:
            return None
        value = self.store.serde.decode(found)
        return value if isinstance(value, dict) else None

    def put(self, node: PlanNode, key: str, out: Mapping[str, Any]) -> None:
        policy = node.cache
        assert policy is not None
        encoded = self.store.serde.encode(dict(out), key="cache", node=node.name, flow=self.flow)
        self.store.put_cached(key, encoded, ttl=policy.ttl)
