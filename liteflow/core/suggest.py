"""Did-you-mean suggestions (character based, so Chinese names work too)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from .messages import text

__all__ = ["closest", "did_you_mean"]


def _fold(name: str) -> str:
    # Full-width letters and digits (ｓｃｏｒｅ, １) match their ASCII forms; case is ignored.
    return unicodedata.normalize("NFKC", name).casefold()


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option most like `name`, or None when nothing is close enough."""
    choices = [c for c in dict.fromkeys(options) if c != name]
    if not choices:
        return None
    folded = {_fold(c): c for c in choices}
    key = _fold(name)
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.5)
    if close:
        return folded[close[0]]
    if len(key) <= 3:
        for option, original in folded.items():
            if key in option or option in key:
                return original
    return None


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """A ' Did you mean …?' sentence (in the current language), or '' with no close match."""
    found = closest(name, options)
    if found is None:
        return ""
    return text("hint.did_you_mean", suggestion=found)
