"""Diagnostics: what the compiler found, with a stable code, a place and a message."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.messages import text
from ..definitions.spec import NodeSpec

__all__ = ["CODES", "Diagnostic", "Severity", "collecting", "problem_diagnostics"]

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
        return text(self.msg_id, language, **self.fields)

    def format(self, language: str | None = None) -> str:
        """`path:line:col: LF101 error: message`, as compilers print it."""
        return (f"{self.file}:{self.line}:{self.col}: {self.code} {self.severity}: "
                f"{self.message(language)}")

    def to_json(self, language: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "file": self.file,
                "line": self.line, "flow": self.flow, "node": self.node,
                "message": self.message(language)}


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


def problem_diagnostics(spec: NodeSpec, flow: str | None) -> list[Diagnostic]:
    """LF100 diagnostics for the definition problems recorded in a node's spec."""
    return [
        Diagnostic("LF100", p.msg_id, dict(p.fields), spec.file, spec.line, 1, flow, spec.name)
        for p in spec.problems
    ]
