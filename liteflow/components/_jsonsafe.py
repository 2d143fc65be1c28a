"""JSON from untrusted peers: parse errors become a reason, never `RecursionError` or
`ValueError: Exceeds the limit (4300 digits)`."""

from __future__ import annotations

import json
from typing import Any, Literal

__all__ = ["MAX_DEPTH", "JSONProblem", "depth", "loads"]

#: Deeper than this is refused: nobody's tool arguments or reply nest a hundred levels, and
#: every consumer further on (pydantic, event subscribers, `repr`) recurses.
MAX_DEPTH = 100

Reason = Literal["syntax", "truncated", "too_deep", "number_too_long"]


class JSONProblem(Exception):
    """Why a text is not usable JSON; `position` is the character where parsing stopped."""

    def __init__(self, reason: Reason, position: int = 0) -> None:
        super().__init__(reason, position)
        self.reason: Reason = reason
        self.position = position


def loads(text: str) -> Any:
    """`json.loads(text)`, or `JSONProblem` saying why not (nesting above `MAX_DEPTH` too)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip())
        raise JSONProblem("truncated" if truncated else "syntax", exc.pos) from None
    except RecursionError:
        raise JSONProblem("too_deep") from None
    except ValueError:  # an integer longer than sys.get_int_max_str_digits()
        raise JSONProblem("number_too_long") from None
    if depth(value) > MAX_DEPTH:
        raise JSONProblem("too_deep")
    return value


def depth(value: Any) -> int:
    """How deeply `value` nests lists and dicts (iteratively: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
