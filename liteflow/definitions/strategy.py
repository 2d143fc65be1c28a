"""How a superstep's writes to one key are merged into the state."""

from __future__ import annotations

from enum import Enum

__all__ = ["UpdateStrategy"]


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
