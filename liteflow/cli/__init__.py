"""The `liteflow` command line (also `python -m liteflow`).

Each subcommand lives in its own module exposing `register(subparsers)`, which adds
its parser and sets `handler` to a function `(args) -> exit status`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from ..core.messages import text, use_language

__all__ = ["main"]

# Subcommand modules, in the order `--help` lists them.
_COMMANDS = ("check", "graph", "run", "demo", "ui")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liteflow", description=text("cli.description"))
    parser.add_argument("--lang", choices=("zh", "en"), default=None,
                        help=text("cli.option_lang"))
    parser.add_argument("--verbose", action="store_true", help=text("cli.option_verbose"))
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        module.register(subparsers)
    _add_legacy_flags(parser)
    return parser


def _add_legacy_flags(parser: argparse.ArgumentParser) -> None:
    """The design document's flags: `--demo`, `--workflow path.py[:name]` (and `--verbose`)."""
    from .demo import add_demo_options
    from .run import add_input_options

    parser.add_argument("--demo", action="store_true", help=text("cli.demo_option"))
    parser.add_argument("--workflow", metavar="path.py[:name]", default=None,
                        help=text("cli.workflow_option"))
    add_input_options(parser, suppress=False)
    add_demo_options(parser, suppress=False)


def _legacy_handler(args: argparse.Namespace) -> Callable[[argparse.Namespace], int] | None:
    if getattr(args, "demo", False):
        from .demo import run_demo

        return run_demo
    if getattr(args, "workflow", None):
        from .run import run_workflow_flag

        return run_workflow_flag
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `liteflow` console script; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    handler = getattr(args, "handler", None) or _legacy_handler(args)
    if handler is None:
        parser.print_help()
        return 0
    with use_language(args.lang):
        status: int = handler(args)
    return status
