"""The `liteflow` command line (also `python -m liteflow`).

Each subcommand lives in its own module exposing `register(subparsers, common)`, which
adds its parser (with `common`, the options every command takes, as a parent) and sets
`handler` to a function `(args) -> exit status`. Help and argparse's own messages follow
`--lang`, wherever it is on the line.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ..core.messages import normalize_language, text, use_language

__all__ = ["common_options", "main"]

# Subcommand modules, in the order `--help` lists them.
_COMMANDS = ("check", "graph", "run", "threads", "demo", "ui")


# argparse's own section headings, and their catalog entries.
_HEADINGS = {"positional arguments": "cli.section_positional", "options": "cli.section_options",
             "optional arguments": "cli.section_options"}


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout, with its headings in the chosen language."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, text("cli.usage") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        msg_id = _HEADINGS.get(heading or "")
        super().start_section(text(msg_id) if msg_id else heading)


# argparse's error messages (its stable msgids), and their catalog entries.
_ERRORS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (re.compile(r"^unrecognized arguments: (?P<args>.*)$"), "cli.arg_unrecognized", ("args",)),
    (re.compile(r"^the following arguments are required: (?P<args>.*)$"), "cli.arg_required",
     ("args",)),
    (re.compile(r"^argument (?P<option>[^:]+): invalid choice: (?P<value>.*?) "
                r"\(choose from (?P<choices>.*)\)$"), "cli.arg_invalid_choice",
     ("option", "value", "choices")),
    (re.compile(r"^argument (?P<option>[^:]+): expected one argument$"), "cli.arg_expected_one",
     ("option",)),
    (re.compile(r"^argument (?P<option>[^:]+): invalid (?P<type>\S+) value: (?P<value>.*)$"),
     "cli.arg_invalid_value", ("option", "type", "value")),
)


def _translate(message: str) -> str:
    for pattern, msg_id, names in _ERRORS:
        match = pattern.match(message)
        if match:
            return text(msg_id, **{name: match.group(name) for name in names})
    return message


class _Parser(argparse.ArgumentParser):
    """An `ArgumentParser` whose help option, headings and errors use the catalog."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=text("cli.option_help"))

    def error(self, message: str) -> NoReturn:
        """One line in the chosen language (after the usage), exit status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, text("cli.usage_error", prog=self.prog, error=_translate(message)) + "\n")


def common_options(*, top: bool) -> argparse.ArgumentParser:
    """`--lang` and `--verbose`, taken before or after the subcommand.

    On the subcommands they default to SUPPRESS, so that `liteflow --lang zh check x.py`
    keeps what was given before the subcommand.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lang", choices=("zh", "en"),
                        default=None if top else argparse.SUPPRESS, help=text("cli.option_lang"))
    parser.add_argument("--verbose", action="store_true",
                        default=False if top else argparse.SUPPRESS,
                        help=text("cli.option_verbose"))
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="liteflow", description=text("cli.description"),
                     parents=[common_options(top=True)])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND",
                                       title=text("cli.section_commands"))
    common = common_options(top=False)
    for name in _COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers, common)
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


def _language_in(argv: Sequence[str]) -> str | None:
    """The `--lang` of the command line, wherever it is (help is built before parsing)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalize_language(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize_language(arg.partition("=")[2])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `liteflow` console script; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        with use_language(_language_in(args_list)):
            parser = build_parser()
            args = parser.parse_args(args_list)
            handler = getattr(args, "handler", None) or _legacy_handler(args)
            if handler is None:
                parser.print_help()
                return 0
            with use_language(args.lang):
                status: int = handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`liteflow check x.py | head`): stop quietly. Python would
        # report the failed flush at exit, so stdout points at devnull from here on.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return status
