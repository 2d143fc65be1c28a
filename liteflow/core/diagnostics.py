"""Diagnostics: what the compiler found, with a stable code, a place and a message.

They live in the bottom layer because declarations (LF100 problems), the compiler and the
CLI all speak them.
"""

from __future__ import annotations

import linecache
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from .messages import text, use_language

__all__ = [
    "CODES",
    "Diagnostic",
    "Phrase",
    "Severity",
    "collect_mode",
    "collecting",
    "def_position",
    "line_position",
]

Severity = Literal["error", "warning"]

# Stable codes and their severities (SPEC §3).
CODES: Mapping[str, Severity] = {
    "LF100": "error",
    "LF101": "error",
    "LF102": "error",
    "LF103": "error",
    "LF104": "error",
    "LF105": "error",
    "LF201": "error",
    "LF202": "error",
    "LF203": "error",
    "LF204": "warning",
    "LF301": "warning",
    "LF302": "warning",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `msg_id` and `fields` render the message in either language."""

    code: str
    msg_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    file: str = "<unknown>"
    line: int = 0
    col: int = 1
    flow: str | None = None
    node: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code]

    def message(self, language: str | None = None) -> str:
        # Nested phrases (hints) render in the same language as the message.
        with use_language(language):
            return text(self.msg_id, **self.fields).rstrip()

    def format(self, language: str | None = None) -> str:
        """`path:line:col: LF101 error: message`, as compilers print it."""
        return (f"{self.file}:{self.line}:{self.col}: {self.code} {self.severity}: "
                f"{self.message(language)}")

    def to_json(self, language: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "file": self.file,
                "line": self.line, "flow": self.flow, "node": self.node,
                "message": self.message(language)}


@dataclass(frozen=True, slots=True)
class Phrase:
    """A catalog message used as a field of another one, rendered in that one's language."""

    msg_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __format__(self, spec: str) -> str:
        return text(self.msg_id, **self.fields)

    def __str__(self) -> str:
        return text(self.msg_id, **self.fields)


@lru_cache(maxsize=1024)
def def_position(file: str, line: int) -> tuple[int, int]:
    """The `def` line and column of a function whose code starts at `line`.

    A decorated function's code starts at its first decorator; compilers point at
    the `def`, so look past the decorators.
    """
    for offset in range(64):
        source = linecache.getline(file, line + offset)
        if not source:
            break
        if source.lstrip().startswith(("def ", "async def ")):
            return line + offset, _column(source)
    return line_position(file, line)


@lru_cache(maxsize=1024)
def line_position(file: str, line: int) -> tuple[int, int]:
    """`line` and the column of its first non-blank character (1-based)."""
    source = linecache.getline(file, line)
    return line, _column(source) if source.strip() else 1


def _column(source: str) -> int:
    return len(source) - len(source.lstrip()) + 1


_collecting: ContextVar[bool] = ContextVar("liteflow_collecting", default=False)


def collecting() -> bool:
    """True while `liteflow check` imports a module: declarations record, never raise."""
    return _collecting.get()


@contextmanager
def collect_mode() -> Iterator[None]:
    token = _collecting.set(True)
    try:
        yield
    finally:
        _collecting.reset(token)
