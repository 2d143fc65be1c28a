"""State values: `State` (a run's read-only state), `Overlay` (staged writes over it) and
`StateManager` (a thread-safe dictionary with merge strategies and snapshots).

`StateManager` merges with the same functions as the runner's barrier (`liteflow.core.merge`), so
`UpdateStrategy.APPEND` means exactly the same thing in both places.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import StateConflictError
from .merge import MergeConflict, UpdateStrategy, merge_writes, merger_for
from .reprs import short_repr

__all__ = ["Overlay", "State", "StateManager", "StateSnapshot"]

_REPR_ITEMS = 12

Strategy = UpdateStrategy | Callable[[Any, Any], Any]


class State(Mapping[str, Any]):
    """A read-only mapping over a run's state. `to_dict()` gives a plain (shallow) copy."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __repr__(self) -> str:
        # Bounded (states can be large, and asyncio may repr a finished run's result),
        # in insertion order.
        items = [f"{key!r}: {short_repr(value)}"
                 for key, value in itertools.islice(self._data.items(), _REPR_ITEMS)]
        more = ", ..." if len(self._data) > _REPR_ITEMS else ""
        return f"State({{{', '.join(items)}{more}}})"


class Overlay(Mapping[str, Any]):
    """The state as it will be after a barrier: staged writes over current values.

    Lets conditions see the merged state before anything is committed, so a failing
    condition leaves the state untouched.
    """

    __slots__ = ("_base", "_top")

    def __init__(self, top: Mapping[str, Any], base: Mapping[str, Any]) -> None:
        self._top = top
        self._base = base

    def __getitem__(self, key: str) -> Any:
        if key in self._top:
            return self._top[key]
        return self._base[key]

    def __iter__(self) -> Iterator[str]:
        yield from self._base
        for key in self._top:
            if key not in self._base:
                yield key

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in self._top if k not in self._base)

    def __contains__(self, key: object) -> bool:
        return key in self._top or key in self._base


@dataclass(frozen=True, slots=True)
class StateSnapshot:
    """A frozen copy of a `StateManager`'s state, taken by `snapshot()`."""

    values: Mapping[str, Any]
    version: int

    def to_dict(self) -> dict[str, Any]:
        return _copy_values(self.values)


class StateManager:
    """A state dictionary that many threads may read and update at once.

    Example::

        sm = StateManager({"日志": ["开始"]})
        sm.update({"日志": ["第一步"]}, strategy=UpdateStrategy.APPEND)
        sm.get("日志")            # ['开始', '第一步']
        saved = sm.snapshot()
        sm.set("计数", 1)
        sm.restore(saved)         # "计数" is gone again

    An `update` is atomic: all its keys are merged under one lock, and if one key
    conflicts (strategy RAISE) none of them is written. An APPEND costs O(new items): the
    list is extended in place while nothing else refers to it, and copied first once a
    caller holds it (from `get`, say), so a list handed out never changes afterwards.
    """

    __slots__ = ("_lock", "_values", "_version")

    def __init__(self, initial_state: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = dict(initial_state or {})
        self._lock = threading.RLock()
        self._version = 0

    def update(self, updates: Mapping[str, Any],
               strategy: Strategy = UpdateStrategy.OVERWRITE) -> None:
        """Merge `updates` into the state with `strategy` (or a `(old, new) -> merged` reducer)."""
        merger = merger_for(strategy)
        with self._lock:
            mergers = {} if merger is None else dict.fromkeys(updates, merger)
            try:
                staged = merge_writes(self._values, (("", updates),), mergers)
            except MergeConflict as exc:
                raise StateConflictError("builder.state_conflict", **exc.fields) from None
            self._values.update(staged)
            self._version += 1

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key`, or `default`."""
        with self._lock:
            return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        """Overwrite one key."""
        with self._lock:
            self._values[key] = value
            self._version += 1

    def delete(self, key: str) -> None:
        """Remove one key (no error when it is absent)."""
        with self._lock:
            self._values.pop(key, None)
            self._version += 1

    def get_state(self) -> Mapping[str, Any]:
        """A consistent, read-only copy of the whole state."""
        with self._lock:
            return State(dict(self._values))

    def snapshot(self) -> StateSnapshot:
        """A deep copy of the state, unaffected by later updates or in-place changes."""
        with self._lock:
            return StateSnapshot(MappingProxyType(_copy_values(self._values)), self._version)

    def restore(self, snapshot: StateSnapshot | Mapping[str, Any]) -> None:
        """Put the state back as it was in `snapshot` (which stays usable afterwards)."""
        values = snapshot.values if isinstance(snapshot, StateSnapshot) else snapshot
        fresh = _copy_values(values)
        with self._lock:
            self._values = fresh
            self._version += 1

    @property
    def version(self) -> int:
        """How many changes were made; bumps on every update, set, delete and restore."""
        return self._version

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._values))

    def __repr__(self) -> str:
        with self._lock:
            return f"StateManager({self._values!r})"


def _copy_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-copy each value; values that cannot be copied (clients, locks) are shared."""
    copied: dict[str, Any] = {}
    for key, value in values.items():
        try:
            copied[key] = copy.deepcopy(value)
        except Exception:
            copied[key] = value
    return copied
