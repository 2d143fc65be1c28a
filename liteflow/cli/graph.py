"""`liteflow graph path.py[:flow] --format mermaid|dot`: draw a flow's declared graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.diagnostics import collect_mode
from ..core.errors import LiteflowError
from ..core.messages import text
from ._loader import choose_flow, load_module, split_target

__all__ = ["register", "run_graph"]


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("graph", parents=[common], help=text("cli.graph_help"),
                                   description=text("cli.graph_help"))
    parser.add_argument("target", help=text("cli.graph_option_target"))
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                        help=text("cli.graph_option_format"))
    parser.add_argument("-o", "--output", default=None, help=text("cli.graph_option_output"))
    parser.set_defaults(handler=run_graph)


def run_graph(args: argparse.Namespace) -> int:
    path, name = split_target(args.target)
    try:
        with collect_mode():
            module = load_module(path)
        chosen = choose_flow(module, path, name)[1]
    except LiteflowError as exc:
        print(text("cli.command_failed", command="graph", error=exc.render()), file=sys.stderr)
        return 2
    errors = [d for d in chosen.diagnostics if d.severity == "error"]
    if errors:
        for d in errors:
            print(d.format(), file=sys.stderr)
        print(text("cli.graph_broken", flow=chosen.name, path=path), file=sys.stderr)
        return 1
    drawing: str = chosen.to_mermaid() if args.format == "mermaid" else chosen.to_dot()
    if args.output:
        Path(args.output).write_text(drawing, encoding="utf-8")
    else:
        sys.stdout.write(drawing)
    return 0
