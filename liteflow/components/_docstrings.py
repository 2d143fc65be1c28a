"""Reading a tool's description and its parameters' descriptions from a docstring.

Google style (`Args:` / `Arguments:` / `Parameters:` / `参数：`) and numpy style
(`Parameters` underlined with dashes) are understood.
"""

from __future__ import annotations

import inspect
import re

__all__ = ["parse_docstring"]

_SECTION_NAMES = ("args", "arguments", "parameters", "params", "参数", "参数列表")
_GOOGLE_HEADER = re.compile(r"^(?P<name>[^\s:：]+)\s*[:：]\s*$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?:\([^)]*\))?\s*[:：]\s*(?P<text>.*)$")
_NUMPY_ENTRY = re.compile(r"^(?P<name>\w+)\s*(?::.*)?$")
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_google_header(line: str) -> bool:
    match = _GOOGLE_HEADER.match(line.strip())
    return match is not None and match["name"].lower() in _SECTION_NAMES


def _is_any_header(lines: list[str], i: int) -> bool:
    """A section header of either style starts at line `i`."""
    stripped = lines[i].strip()
    if _GOOGLE_HEADER.match(stripped) and stripped.rstrip(":：").strip().isidentifier():
        return True
    return i + 1 < len(lines) and bool(stripped) and bool(_UNDERLINE.match(lines[i + 1]))


def _google_block(lines: list[str], start: int, header_indent: int) -> dict[str, str]:
    params: dict[str, str] = {}
    base: int | None = None
    current: str | None = None
    for line in lines[start:]:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= header_indent:
            break
        if base is None:
            base = indent
        if indent == base:
            match = _GOOGLE_ENTRY.match(line.strip())
            if match is None:
                current = None
                continue
            current = match["name"]
            params[current] = match["text"].strip()
        elif current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
    return params


def _numpy_block(lines: list[str], start: int, header_indent: int) -> dict[str, str]:
    params: dict[str, str] = {}
    current: str | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        indent = _indent(line)
        if indent < header_indent or (i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1])):
            break
        if indent == header_indent:
            match = _NUMPY_ENTRY.match(line.strip())
            current = match["name"] if match else None
            if current is not None:
                params[current] = ""
        elif current is not None:
            params[current] = f"{params[current]} {line.strip()}".strip()
    return params


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The description (text before the first section) and each parameter's description."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary_end = len(lines)
    params: dict[str, str] = {}
    for i, line in enumerate(lines):
        if _is_any_header(lines, i):
            summary_end = min(summary_end, i)
        stripped = line.strip()
        if _is_google_header(line):
            params.update(_google_block(lines, i + 1, _indent(line)))
        elif (
            stripped.lower() in _SECTION_NAMES
            and i + 1 < len(lines)
            and _UNDERLINE.match(lines[i + 1])
        ):
            params.update(_numpy_block(lines, i + 2, _indent(line)))
    summary = "\n".join(lines[:summary_end]).strip()
    return summary, params
