"""State values as JSON for the page: any stored value, bounded in size, and step diffs.

Values the checkpoint codec restores (dataclasses, pydantic models, enums, datetimes,
sets, `Unrestorable` stand-ins ...) become plain JSON; anything else shows as its repr.
A value whose JSON text exceeds `limit` characters is replaced by a preview marked
`truncated` (the page then offers "show all", which asks again without a limit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["LIMIT", "bounded", "diff_values", "to_json"]

LIMIT = 64 * 1024  # characters of JSON text per value before "show all"
_DEPTH = 40


def to_json(value: Any, depth: int = 0) -> Any:
    """`value` as JSON-compatible data (never raises)."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, float) and not math.isfinite(value):  # not JSON: as text
            return repr(value)
        return value
    if depth > _DEPTH:
        return "…"
    if isinstance(value, Mapping):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_json(v, depth + 1) for v in value]
        return sorted(items, key=repr)
    if isinstance(value, enum.Enum):
        return to_json(value.value, depth + 1)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return repr(value[:200])
    cls_path = getattr(value, "class_path", None)
    if isinstance(cls_path, str) and hasattr(value, "fields"):  # checkpoint.Unrestorable
        return {"__class__": cls_path, "fields": to_json(value.fields, depth + 1)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: to_json(getattr(value, f.name), depth + 1)
                  for f in dataclasses.fields(value)}
        return {"__class__": type(value).__qualname__, **fields}
    dump = getattr(value, "model_dump", None)
    if callable(dump):  # a pydantic model
        try:
            return {"__class__": type(value).__qualname__, **to_json(dump(), depth + 1)}
        except Exception:
            pass
    return repr(value)


def bounded(value: Any, limit: int | None = LIMIT) -> dict[str, Any]:
    """`{"value": ...}`, or `{"preview": "...", "truncated": True, "size": n}` when too big."""
    data = to_json(value)
    if limit is None:
        return {"value": data}
    textual = json.dumps(data, ensure_ascii=False)
    if len(textual) <= limit:
        return {"value": data}
    return {"preview": textual[:limit] + "…", "truncated": True, "size": len(textual)}


def diff_values(before: Mapping[str, Any], after: Mapping[str, Any],
                keys: list[str] | tuple[str, ...], appended: frozenset[str] = frozenset(),
                limit: int | None = LIMIT) -> list[dict[str, Any]]:
    """What one step changed, key by key: `set` (before → after) or `append` (new items only).

    A list that grew at its end (an APPEND key, or any list extended) shows only the
    items added; an APPEND key (in `appended`) not there before starts as `[]`. Keys
    are those the step wrote (its `written_keys`).
    """
    rows = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key in appended and key not in before:
            old = []
        row: dict[str, Any] = {"key": key, "existed": key in before}
        if (isinstance(old, list) and isinstance(new, list) and len(new) >= len(old)
                and new[:len(old)] == old):
            row.update(op="append", added=bounded(new[len(old):], limit))
        else:
            row.update(op="set", before=bounded(old, limit), after=bounded(new, limit))
        rows.append(row)
    return rows
