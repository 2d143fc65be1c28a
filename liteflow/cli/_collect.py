"""The process `liteflow check` imports a module in: `python -m liteflow.cli._collect
PATH LANG ONLY VERBOSE`.

Standard output is kept for the report (one JSON object) and everything else written
there (the module's own `print`s, even from C code) goes to stderr. The process ends as
soon as the report is written, even if the module left threads running.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

from ..core.errors import LiteflowError
from ..core.messages import use_language
from ._loader import LoadError
from .check import Finding, collect_diagnostics


def collect(path: str, language: str, only: str | None, verbose: bool) -> dict[str, Any]:
    """The report of one module: {"flows": n, "findings": [...]} or {"error": reason}."""
    with use_language(language):
        try:
            flows, diagnostics = collect_diagnostics(path, only)
        except LiteflowError as exc:
            if verbose:
                traceback.print_exception(exc)
            return {"error": _load_reason(exc, path)}
        return {"flows": flows,
                "findings": [Finding.of(d, language)._asdict() for d in diagnostics]}


def _load_reason(exc: LiteflowError, path: str) -> str:
    """The error's message, prefixed with the line of the module that raised it."""
    if isinstance(exc, LoadError):
        return str(exc)
    target = os.path.realpath(path)
    where = None
    tb = exc.__traceback__
    while tb is not None:
        if os.path.realpath(tb.tb_frame.f_code.co_filename) == target:
            where = tb.tb_lineno
        tb = tb.tb_next
    return f"{path}:{where}: {exc}" if where is not None else f"{path}: {exc}"


def main(argv: list[str]) -> None:
    path, language, only, verbose = argv
    report_fd = os.dup(sys.stdout.fileno())
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    report = collect(path, language, only or None, verbose == "1")
    with os.fdopen(report_fd, "w", encoding="utf-8") as out:
        json.dump(report, out, ensure_ascii=False)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # not waiting for threads the module may have started


if __name__ == "__main__":
    main(sys.argv[1:])
