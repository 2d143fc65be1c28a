"""Merge strategies as functions: how one write combines with a key's current value.

A merger is called as `merger(key, current, new, owned)`. `current` is `MISSING` when
the key has no value yet. `owned` is True when `current` was produced by an earlier
write of the same superstep, so it may be extended in place instead of copied: the
first write of a superstep copies, later ones append (fan-outs stay linear).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any, Final

from .reprs import short_repr

__all__ = ["MISSING", "MergeConflict", "Merger", "UpdateStrategy", "deep_merge", "merge_writes",
           "merger_for"]



class UpdateStrategy(Enum):
    """Merge strategy of a state key, declared as `Annotated[T, UpdateStrategy.APPEND]`.

    OVERWRITE (default): the last write in plan order wins.
    MERGE: dicts merged recursively, lists extended, sets unioned.
    IGNORE: keep the existing value once set.
    RAISE: a second, different write is a `StateConflictError`.
    APPEND: list concatenation; a non-list value is appended as one element.
    ADD: numeric sum.
    """

    OVERWRITE = "overwrite"
    MERGE = "merge"
    IGNORE = "ignore"
    RAISE = "raise"
    APPEND = "append"
    ADD = "add"


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final[Any] = _Missing()

Merger = Callable[[str, Any, Any, bool], Any]


def _overwrite(key: str, current: Any, new: Any, owned: bool) -> Any:
    return new


def _ignore(key: str, current: Any, new: Any, owned: bool) -> Any:
    return new if current is MISSING else current


class MergeConflict(Exception):
    """Raised by the RAISE strategy; `writer` names who wrote the second value.

    The runner turns it into a `StateConflictError` naming flow and node.
    """

    def __init__(self, key: str, old: Any, new: Any) -> None:
        super().__init__(key)
        self.fields = {"key": key, "old": short_repr(old), "new": short_repr(new)}
        self.writer: str | None = None


def _raise(key: str, current: Any, new: Any, owned: bool) -> Any:
    if current is not MISSING and current != new:
        raise MergeConflict(key, current, new)
    return new


def _append(key: str, current: Any, new: Any, owned: bool) -> Any:
    if current is MISSING:
        result: list[Any] = []
    elif owned:
        result = current
    elif isinstance(current, list):
        result = list(current)
    else:
        result = [current]
    if isinstance(new, list):
        result.extend(new)
    else:
        result.append(new)
    return result


def _add(key: str, current: Any, new: Any, owned: bool) -> Any:
    return new if current is MISSING else current + new


def deep_merge(current: Any, new: Any) -> Any:
    """Dicts merged recursively, lists extended, sets unioned; anything else is replaced.

    Never mutates its arguments.
    """
    if isinstance(current, Mapping) and isinstance(new, Mapping):
        merged = dict(current)
        for k, v in new.items():
            merged[k] = deep_merge(merged[k], v) if k in merged else v
        return merged
    if isinstance(current, list) and isinstance(new, list):
        return current + new
    if isinstance(current, set | frozenset) and isinstance(new, set | frozenset):
        return current | new
    return new


def _merge(key: str, current: Any, new: Any, owned: bool) -> Any:
    return new if current is MISSING else deep_merge(current, new)


_BUILTIN: Mapping[UpdateStrategy, Merger] = {
    UpdateStrategy.OVERWRITE: _overwrite,
    UpdateStrategy.IGNORE: _ignore,
    UpdateStrategy.RAISE: _raise,
    UpdateStrategy.APPEND: _append,
    UpdateStrategy.ADD: _add,
    UpdateStrategy.MERGE: _merge,
}


def merger_for(strategy: UpdateStrategy | Callable[[Any, Any], Any] | None) -> Merger | None:
    """The merger of a strategy; None means OVERWRITE (the runner's fast path)."""
    if strategy is None or strategy is UpdateStrategy.OVERWRITE:
        return None
    if isinstance(strategy, UpdateStrategy):
        return _BUILTIN[strategy]
    return _Custom(strategy)


class _Custom:
    """A user's `(old, new) -> merged` reducer as a merger."""

    __slots__ = ("reducer",)

    def __init__(self, reducer: Callable[[Any, Any], Any]) -> None:
        self.reducer = reducer

    def __call__(self, key: str, current: Any, new: Any, owned: bool) -> Any:
        return new if current is MISSING else self.reducer(current, new)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Custom, (self.reducer,))



def merge_writes(values: Mapping[str, Any], writes: Iterable[tuple[str, Mapping[str, Any]]],
                 mergers: Mapping[str, Merger]) -> dict[str, Any]:
    """Stage `writes` (each `(writer, outputs)`, in order) over `values`.

    Returns the new value of every written key; `values` is not touched, so a failing
    write (a `MergeConflict`, with `writer` set) leaves nothing half applied. Keys
    without a merger are overwritten. This is the one barrier of the runner, of a lone
    node's superstep and of `StateManager.update`.
    """
    staged: dict[str, Any] = {}
    if not mergers:
        for _writer, out in writes:
            staged.update(out)
        return staged
    for writer, out in writes:
        for key, value in out.items():
            merger = mergers.get(key)
            if merger is None:
                staged[key] = value
                continue
            try:
                if key in staged:
                    if merger is _append and type(value) is list:
                        staged[key].extend(value)  # staged values are the step's own
                    else:
                        staged[key] = merger(key, staged[key], value, True)
                else:
                    staged[key] = merger(key, values.get(key, MISSING), value, False)
            except MergeConflict as exc:
                exc.writer = writer
                raise
    return staged
