"""Did-you-mean suggestions (character based, so Chinese names work too)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .messages import text

__all__ = ["did_you_mean"]


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A ' Did you mean …?' sentence (in the current language), or '' with no close match."""
    choices = list(options)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    if not close and len(name) <= 3:
        close = [c for c in choices if name in c or c in name][:1]
    if not close:
        return ""
    return text("hint.did_you_mean", suggestion=close[0])
