"""Short, bounded reprs of user values for messages, logs and events (one helper, on reprlib)."""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["short_repr", "typed_repr"]

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxfrozenset = _REPR.maxdict = 12


def short_repr(value: Any, limit: int = 80) -> str:
    """`repr(value)`, bounded: containers show their first items, text is cut at `limit`."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def typed_repr(value: Any, limit: int = 60) -> str:
    """`type: repr` of a value, bounded, for type errors."""
    return f"{type(value).__qualname__} {short_repr(value, limit)}"
