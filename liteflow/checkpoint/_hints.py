"""The classes a flow's type hints name: what a checkpoint may restore (see `Serde.bind`)."""

from __future__ import annotations

import dataclasses
import enum
import sys
import typing
from collections.abc import Iterable
from typing import Any

__all__ = ["classes_in_hints"]

_MAX_DEPTH = 50


def classes_in_hints(hints: Iterable[Any]) -> frozenset[type]:
    """Every dataclass, pydantic model, enum and NamedTuple reachable from `hints`.

    Walks TypedDict fields, `Annotated`, unions, generic arguments, `Literal` enum members,
    type variables' bounds, dataclass fields and pydantic fields. Unresolvable forward
    references are skipped (they name no class that could be looked up safely).
    """
    found: set[type] = set()
    seen: set[int] = set()
    for hint in hints:
        _walk(hint, found, seen, 0)
    return frozenset(found)


def _walk(hint: Any, found: set[type], seen: set[int], depth: int) -> None:
    if depth > _MAX_DEPTH or id(hint) in seen or hint is None or isinstance(hint, str):
        return
    seen.add(id(hint))
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        _walk(typing.get_args(hint)[0], found, seen, depth + 1)
        return
    if origin is typing.Literal:
        for value in typing.get_args(hint):
            if isinstance(value, enum.Enum):
                found.add(type(value))
        return
    if origin is not None:
        _walk(origin, found, seen, depth + 1)
        for arg in typing.get_args(hint):
            _walk(arg, found, seen, depth + 1)
        return
    if isinstance(hint, typing.TypeVar):
        _walk(hint.__bound__, found, seen, depth + 1)
        for arg in hint.__constraints__:
            _walk(arg, found, seen, depth + 1)
        return
    if isinstance(hint, list | tuple):  # Callable[[a, b], c] arguments
        for arg in hint:
            _walk(arg, found, seen, depth + 1)
        return
    if not isinstance(hint, type):
        return
    if typing.is_typeddict(hint):
        for field in _field_hints(hint).values():
            _walk(field, found, seen, depth + 1)
        return
    if issubclass(hint, enum.Enum):
        found.add(hint)
        return
    if dataclasses.is_dataclass(hint):
        found.add(hint)
        for field in _field_hints(hint).values():
            _walk(field, found, seen, depth + 1)
        return
    if issubclass(hint, tuple) and hasattr(hint, "_fields"):
        found.add(hint)
        for field in _field_hints(hint).values():
            _walk(field, found, seen, depth + 1)
        return
    base = getattr(sys.modules.get("pydantic"), "BaseModel", None)
    if isinstance(base, type) and issubclass(hint, base) and hint is not base:
        found.add(hint)
        fields: dict[str, Any] = getattr(hint, "model_fields", {})
        for info in fields.values():
            _walk(getattr(info, "annotation", None), found, seen, depth + 1)


def _field_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        # Forward references that do not resolve: fall back to what the class recorded.
        if dataclasses.is_dataclass(cls):
            return {f.name: f.type for f in dataclasses.fields(cls)}
        return dict(getattr(cls, "__annotations__", {}))
