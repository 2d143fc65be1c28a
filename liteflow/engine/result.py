"""What a run hands back: `State` (a read-only view) and `RunResult`."""

from __future__ import annotations

import itertools
import reprlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = ["RunResult", "RunStatus", "State"]

_REPR_ITEMS = 12
_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60

OutT = TypeVar("OutT")
RunStatus = Literal["completed", "interrupted"]


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
        items = [f"{key!r}: {_REPR.repr(value)}"
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


@dataclass(frozen=True, slots=True, repr=False)
class RunResult(Generic[OutT]):
    """The outcome of a run.

    `output` holds the flow's return keys; `final_state` the whole state.
    """

    output: OutT
    final_state: State
    supersteps: int
    status: RunStatus
    interrupt: Any
    duration: float
    run_id: str
    thread_id: str | None

    def __repr__(self) -> str:
        # Bounded like `State`: asyncio reprs a finished run's result on Python 3.11.
        return (f"RunResult(status={self.status!r}, output={_REPR.repr(self.output)}, "
                f"supersteps={self.supersteps}, duration={self.duration:.6f}, "
                f"run_id={self.run_id!r}, thread_id={self.thread_id!r}, "
                f"final_state={self.final_state!r})")
