"""`max_concurrency`: at most N node calls of a run at once.

A run given `max_concurrency=N` owns one `CallLimit`; the subflows it runs share it
(their calls count against the same N), and a subflow given its own `max_concurrency`
adds its limit under the parent's. A subflow's own call takes no slot: only the node
calls inside it do, so a limit of 1 never waits for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["CallLimit"]

T = TypeVar("T")


class CallLimit:
    """Slots for node calls on one event loop; `parent`: the enclosing run's limit."""

    __slots__ = ("_slots", "parent", "size")

    def __init__(self, size: int, parent: CallLimit | None = None) -> None:
        self.size = size
        self.parent = parent
        self._slots = asyncio.Semaphore(size)

    @property
    def smallest(self) -> int:
        """The tightest bound of this limit and the ones above it."""
        size = self.size
        parent = self.parent
        while parent is not None:
            size = min(size, parent.size)
            parent = parent.parent
        return size

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`await fn(*args)` once a slot of this limit, and of every one above it, is free."""
        async with self._slots:
            if self.parent is None:
                return await fn(*args)
            return await self.parent.run(fn, *args)
