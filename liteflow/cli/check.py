"""`liteflow check path.py`: compile every flow in a module and report like a compiler.

The module is imported under `collect_mode`, so a flow with errors does not raise:
every flow in the file is reported in one pass. Exit status: 0 no errors (warnings
allowed unless --strict), 1 errors found, 2 the module could not be loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..core.diagnostics import Diagnostic, collect_mode
from ..core.errors import LiteflowError
from ..core.messages import text
from ..definitions.node import NodeFunction
from ..definitions.spec import problem_diagnostics
from ._loader import LoadError, load_module, module_flows, split_target

__all__ = ["collect_diagnostics", "register", "run_check"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("check", help=text("cli.check_help"),
                                   description=text("cli.check_help"))
    parser.add_argument("path", help=text("cli.check_option_path"))
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help=text("cli.check_option_format"))
    # Also accepted after the subcommand (`liteflow check x.py --lang zh`); SUPPRESS keeps
    # a global `liteflow --lang zh check x.py` from being reset.
    parser.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help=text("cli.option_lang"))
    parser.add_argument("--strict", action="store_true", help=text("cli.check_option_strict"))
    parser.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    path, only = split_target(args.path)
    try:
        flows, diagnostics = collect_diagnostics(path, only)
    except LiteflowError as exc:
        print(text("cli.check_load_failed", error=_load_reason(exc, path)), file=sys.stderr)
        if getattr(args, "verbose", False):
            import traceback

            traceback.print_exception(exc)
        return 2
    lang = getattr(args, "lang", None)
    diagnostics = [replace(d, file=_display_path(d.file)) for d in diagnostics]
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if args.format == "json":
        print(json.dumps([d.to_json(lang) for d in diagnostics], ensure_ascii=False, indent=2))
    else:
        _print_text(diagnostics, lang, flows, errors, warnings, path)
    if errors or (args.strict and warnings):
        return 1
    return 0


def collect_diagnostics(path: str, only: str | None = None) -> tuple[int, list[Diagnostic]]:
    """Import `path` without raising and gather the diagnostics of every flow in it.

    Returns the number of flows checked and the diagnostics, sorted by place.
    """
    with collect_mode():
        module = load_module(path)
        flows = module_flows(module)
        if only is not None:
            flows = {k: v for k, v in flows.items() if k == only or _flow_name(v) == only}
        found: list[Diagnostic] = []
        for flow in flows.values():
            found.extend(flow.diagnostics)
        # Nodes with broken signatures that no flow uses are still worth reporting.
        if only is None:
            for obj in vars(module).values():
                if isinstance(obj, NodeFunction) and obj.spec.problems:
                    found.extend(problem_diagnostics(obj.spec, None))
    return len(flows), _unique_sorted(found)


def _flow_name(obj: Any) -> str | None:
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else None


def _unique_sorted(found: Iterable[Diagnostic]) -> list[Diagnostic]:
    seen: set[tuple[Any, ...]] = set()
    unique: list[Diagnostic] = []
    for d in found:
        key = (d.code, d.file, d.line, d.col, d.node, d.msg_id,
               tuple(sorted((k, str(v)) for k, v in d.fields.items() if k != "flow")))
        if key in seen:
            continue
        seen.add(key)
        unique.append(d)
    order = {id(d): i for i, d in enumerate(unique)}
    return sorted(unique, key=lambda d: (d.file, d.line, d.col, order[id(d)]))


def _print_text(diagnostics: list[Diagnostic], lang: str | None, flows: int, errors: int,
                warnings: int, path: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    colours = {"error": "bold red", "warning": "bold yellow"}
    for d in diagnostics:
        line = Text()
        line.append(f"{d.file}:{d.line}:{d.col}:", style="bold")
        line.append(f" {d.code} ")
        line.append(f"{d.severity}:", style=colours[d.severity])
        line.append(f" {d.message(lang)}")
        console.print(line)
    if flows == 0:
        console.print(Text(text("cli.check_no_flows", lang, path=path), style="yellow"))
    elif diagnostics:
        console.print(Text(text("cli.check_summary", lang, flows=flows, errors=errors,
                                warnings=warnings), style="bold"))
    else:
        console.print(Text(text("cli.check_clean", lang, flows=flows), style="green"))


def _display_path(file: str) -> str:
    """Paths under the working directory are shown relative to it, as compilers do."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive
        return file
    return file if relative.startswith("..") else relative


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
