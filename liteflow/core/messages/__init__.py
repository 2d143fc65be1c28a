"""The one message catalog: every user-facing sentence, in Chinese and English.

Messages are keyed by a stable id and formatted with named fields. Each area keeps its
entries in its own module; they are merged here into one catalog.
"""

from __future__ import annotations

import locale
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal, NamedTuple

__all__ = [
    "CATALOG",
    "LANGUAGES",
    "Language",
    "Msg",
    "current_language",
    "normalize_language",
    "text",
    "use_language",
]

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


class Msg(NamedTuple):
    """One catalog entry: the same message in Chinese and in English."""

    zh: str
    en: str


def _load() -> dict[str, Msg]:
    from . import (
        _checkpoint,
        _cli,
        _cli_threads,
        _cli_tools,
        _compiler,
        _components,
        _core,
        _executors,
        _limits,
        _observability,
        _replies,
        _runs,
        _stops,
        _typecheck,
        _ui,
        _wiring,
    )

    catalog: dict[str, Msg] = {}
    # Every module imported above is one area's part of the catalog; the order is irrelevant
    # because an id may exist only once.
    parts = (_checkpoint, _cli, _cli_threads, _cli_tools, _compiler, _components, _core,
             _executors, _limits, _observability, _replies, _runs, _stops, _typecheck, _ui,
             _wiring)
    for part in (module.MESSAGES for module in parts):
        for key, msg in part.items():
            if key in catalog:
                raise RuntimeError(f"duplicate message id {key!r}")
            catalog[key] = msg
    return catalog


CATALOG: Mapping[str, Msg] = _load()

_language: ContextVar[Language | None] = ContextVar("liteflow_language", default=None)


def normalize_language(value: str | None) -> Language | None:
    """Map 'zh', 'zh_CN.UTF-8', 'en-US', 'C' ... to a catalog language, or None."""
    if not value:
        return None
    low = value.strip().lower()
    if low.startswith("zh") or low.startswith("chinese"):
        return "zh"
    if low.startswith("en") or low in ("c", "posix", "c.utf-8"):
        return "en"
    return None


def _locale_language() -> Language | None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalize_language(os.environ.get(var))
        if found is not None:
            return found
    try:
        return normalize_language(locale.getlocale()[0])
    except ValueError:
        return None


def current_language() -> Language:
    """The language in force: `use_language`, then LITEFLOW_LANG, then the locale, else English."""
    chosen = _language.get()
    if chosen is not None:
        return chosen
    return (
        normalize_language(os.environ.get("LITEFLOW_LANG")) or _locale_language() or "en"
    )


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Render messages in `language` inside the block (None keeps the current choice)."""
    token = _language.set(normalize_language(language) if language else _language.get())
    try:
        yield
    finally:
        _language.reset(token)


def text(msg_id: str, language: str | None = None, /, **fields: object) -> str:
    """Render catalog entry `msg_id` in `language` (default: the current language)."""
    lang = normalize_language(language) or current_language()
    entry = CATALOG[msg_id]
    template = entry.zh if lang == "zh" else entry.en
    return template.format_map(_Fields(fields))


class _Fields(dict[str, object]):
    """Format fields where a missing one shows as `?` instead of failing an error path."""

    def __missing__(self, key: str) -> object:
        return "?"
