"""`liteflow graph path.py[:flow] --format mermaid|dot`: draw a flow's declared graph."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.diagnostics import collect_mode
from ..core.errors import LiteflowError
from ..core.messages import text
from ..core.suggest import did_you_mean
from ._loader import load_module, module_flows, split_target

__all__ = ["register", "run_graph"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("graph", help=text("cli.graph_help"),
                                   description=text("cli.graph_help"))
    parser.add_argument("target", help=text("cli.graph_option_target"))
    parser.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                        help=text("cli.graph_option_format"))
    parser.add_argument("-o", "--output", default=None, help=text("cli.graph_option_output"))
    parser.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS,
                        help=text("cli.option_lang"))
    parser.set_defaults(handler=run_graph)


def run_graph(args: argparse.Namespace) -> int:
    path, name = split_target(args.target)
    try:
        with collect_mode():
            flows = module_flows(load_module(path))
    except LiteflowError as exc:
        print(text("cli.check_load_failed", error=str(exc)), file=sys.stderr)
        return 2
    chosen = _choose(flows, path, name)
    if chosen is None:
        return 2
    errors = [d for d in chosen.diagnostics if d.severity == "error"]
    if errors:
        for d in errors:
            print(d.format(), file=sys.stderr)
        print(text("cli.graph_broken", flow=getattr(chosen, "name", name), path=path),
              file=sys.stderr)
        return 1
    drawing: str = chosen.to_mermaid() if args.format == "mermaid" else chosen.to_dot()
    if args.output:
        Path(args.output).write_text(drawing, encoding="utf-8")
    else:
        sys.stdout.write(drawing)
    return 0


def _choose(flows: dict[str, Any], path: str, name: str | None) -> Any:
    if not flows:
        print(text("cli.graph_no_flows", path=path), file=sys.stderr)
        return None
    if name is None:
        if len(flows) == 1:
            return next(iter(flows.values()))
        print(text("cli.graph_ambiguous", path=path, options=", ".join(flows)), file=sys.stderr)
        return None
    for variable, obj in flows.items():
        if name in (variable, getattr(obj, "name", None)):
            return obj
    names = [*flows, *(getattr(f, "name", "") for f in flows.values())]
    print(text("cli.graph_unknown", path=path, name=name, options=", ".join(flows),
               hint=did_you_mean(name, names)), file=sys.stderr)
    return None
