"""`liteflow check path.py`: compile every flow in a module and report like a compiler.

The module is imported in a child process (`liteflow.cli._collect`) under
`collect_mode`, so a flow with errors does not raise (every flow in the file is reported
in one pass), whatever the module prints goes to stderr, and a module that never finishes
importing is abandoned after `--timeout` seconds. Exit status: 0 no errors (warnings
allowed unless --strict), 1 errors found, 2 the module could not be loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from ..core.diagnostics import CODES, Diagnostic, collect_mode
from ..core.messages import current_language, text
from ..definitions.node import NodeFunction
from ..definitions.spec import problem_diagnostics
from ._loader import load_module, module_flows, split_target

__all__ = ["Finding", "collect_diagnostics", "register", "run_check"]

DEFAULT_TIMEOUT = 30.0
FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common], help=text("cli.check_help"),
                                   description=text("cli.check_help"))
    parser.add_argument("path", nargs="+", help=text("cli.check_option_path"))
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help=text("cli.check_option_formats"))
    parser.add_argument("--strict", action="store_true", help=text("cli.check_option_strict"))
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                        help=text("cli.check_option_timeout"))
    parser.set_defaults(handler=run_check)


class Finding(NamedTuple):
    """A diagnostic as the checking process reported it, its message already rendered."""

    code: str
    severity: str
    file: str
    line: int
    col: int
    flow: str | None
    node: str | None
    message: str

    @classmethod
    def of(cls, d: Diagnostic, language: str) -> Finding:
        return cls(d.code, d.severity, _display_path(d.file), d.line, d.col, d.flow, d.node,
                   d.message(language))

    def to_json(self) -> dict[str, Any]:
        """SPEC §3's JSON object: code, severity, file, line, flow, node, message."""
        return {"code": self.code, "severity": self.severity, "file": self.file,
                "line": self.line, "flow": self.flow, "node": self.node,
                "message": self.message}


class CheckFailed(Exception):
    """The module could not be checked; the text says why, in the chosen language."""


def run_check(args: argparse.Namespace) -> int:
    language = getattr(args, "lang", None) or current_language()
    verbose = bool(getattr(args, "verbose", False))
    findings: list[Finding] = []
    flows = 0
    failed = False
    for target in args.path:  # several files: as pre-commit passes them
        path, only = split_target(target)
        try:
            checked, found = check_in_child(path, only, language, args.timeout, verbose)
        except CheckFailed as exc:
            if args.format == "json":
                print(json.dumps({"error": str(exc)}, ensure_ascii=False))
                return 2
            print(text("cli.command_failed", command="check", error=str(exc)), file=sys.stderr)
            failed = True
            continue
        flows += checked
        findings += found
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if args.format == "json":
        print(json.dumps([f.to_json() for f in findings], ensure_ascii=False, indent=2))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(findings, language), ensure_ascii=False, indent=2))
    elif args.format == "github":
        for finding in findings:
            print(to_github(finding))
    elif not failed or findings:
        _print_text(findings, flows, errors, warnings, " ".join(args.path))
    if failed:
        return 2
    if errors or (args.strict and warnings):
        return 1
    return 0


def check_in_child(path: str, only: str | None, language: str, timeout: float,
                   verbose: bool) -> tuple[int, list[Finding]]:
    """Check `path` in a fresh interpreter: (flows checked, findings)."""
    import liteflow

    package_root = str(Path(liteflow.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    command = [sys.executable, "-m", "liteflow.cli._collect", path, language, only or "",
               "1" if verbose else "0"]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, env=env, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        raise CheckFailed(text("cli.import_timeout", language, path=path,
                               seconds=f"{timeout:g}")) from None
    try:
        report = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        raise CheckFailed(text("cli.checker_died", language, path=path,
                               status=done.returncode)) from None
    if "error" in report:
        raise CheckFailed(report["error"])
    return report["flows"], [Finding(**f) for f in report["findings"]]


def collect_diagnostics(path: str, only: str | None = None) -> tuple[int, list[Diagnostic]]:
    """Import `path` without raising and gather the diagnostics of every flow in it.

    Returns the number of flows checked and the diagnostics, sorted by place.
    """
    with collect_mode():
        module = load_module(path)
        flows = module_flows(module)
        if only is not None:
            flows = {k: v for k, v in flows.items() if only in (k, v.name)}
        found: list[Diagnostic] = []
        for flow in flows.values():
            found.extend(flow.diagnostics)
        # Nodes with broken signatures that no flow uses are still worth reporting.
        if only is None:
            for obj in vars(module).values():
                if isinstance(obj, NodeFunction) and obj.spec.problems:
                    found.extend(problem_diagnostics(obj.spec, None))
    return len(flows), _unique_sorted(found)


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


# -- formats ------------------------------------------------------------------------------


def to_sarif(findings: list[Finding], language: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, every rule described in `language`."""
    from .. import __version__

    codes = sorted(CODES)
    rules = [{
        "id": code,
        "name": text(f"rule.{code}", "en").title().replace(" ", ""),
        "shortDescription": {"text": text(f"rule.{code}", language)},
        "fullDescription": {"text": text(f"rule_help.{code}", language)},
        "help": {"text": text(f"rule_help.{code}", language)},
        "defaultConfiguration": {"level": CODES[code]},
    } for code in codes]
    results = [{
        "ruleId": f.code,
        "ruleIndex": codes.index(f.code),
        "level": f.severity,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": Path(f.file).as_posix()},
            "region": {"startLine": max(f.line, 1), "startColumn": max(f.col, 1)},
        }}],
        "properties": {"flow": f.flow, "node": f.node},
    } for f in findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "liteflow", "version": __version__,
                                "language": language, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def to_github(f: Finding) -> str:
    """A GitHub Actions workflow command: `::error file=…,line=…,col=…,title=…::message`."""
    properties = ",".join([f"file={_escape(f.file, True)}", f"line={f.line}", f"col={f.col}",
                           f"title={_escape(f.code, True)}"])
    return f"::{f.severity} {properties}::{_escape(f.message, False)}"


def _escape(value: str, in_property: bool) -> str:
    # The escapes GitHub's workflow commands define for data and for properties.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def _print_text(findings: list[Finding], flows: int, errors: int, warnings: int,
                path: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    colours = {"error": "bold red", "warning": "bold yellow"}
    for f in findings:
        line = Text()
        line.append(f"{f.file}:{f.line}:{f.col}:", style="bold")
        line.append(f" {f.code} ")
        line.append(f"{f.severity}:", style=colours[f.severity])
        line.append(f" {f.message}")
        console.print(line)
    if flows == 0:
        console.print(Text(text("cli.check_no_flows", path=path), style="yellow"))
    elif findings:
        console.print(Text(text("cli.check_summary", flows=flows, errors=errors,
                                warnings=warnings), style="bold"))
    else:
        console.print(Text(text("cli.check_clean", flows=flows), style="green"))


def _display_path(file: str) -> str:
    """Paths under the working directory are shown relative to it, as compilers do."""
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive
        return file
    return file if relative.startswith("..") else relative
