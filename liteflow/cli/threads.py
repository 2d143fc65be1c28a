"""`liteflow resume`, `liteflow threads` and `liteflow history`: durable threads from the shell.

    liteflow run 审稿.py --checkpointer sqlite:///runs.db --thread 稿件-7 --input topic=检查点
    liteflow resume 审稿.py --checkpointer sqlite:///runs.db --thread 稿件-7 --value-json '{...}'
    liteflow threads --checkpointer sqlite:///runs.db
    liteflow history 审稿.py --checkpointer sqlite:///runs.db --thread 稿件-7
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from ..core.errors import LiteflowError
from ..core.messages import text
from ..core.result import NOTHING
from ._loader import UsageError
from ._progress import jsonable
from .run import EXIT_USAGE, _fail, _main, add_thread_options

__all__ = ["register"]


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    resume = subparsers.add_parser("resume", parents=[common], help=text("cli.resume_help"),
                                   description=text("cli.resume_help"))
    resume.add_argument("target", metavar="path.py[:flow]", help=text("cli.run_option_target"))
    add_thread_options(resume, required=True)
    value = resume.add_mutually_exclusive_group()
    value.add_argument("--value", default=None, help=text("cli.resume_option_value"))
    value.add_argument("--value-json", dest="value_json", metavar="JSON", default=None,
                       help=text("cli.resume_option_value_json"))
    resume.add_argument("--json", action="store_true", help=text("cli.run_option_json"))
    resume.set_defaults(handler=_resume)

    threads = subparsers.add_parser("threads", parents=[common], help=text("cli.threads_help"),
                                    description=text("cli.threads_help"))
    threads.add_argument("--checkpointer", metavar="URL", required=True,
                         help=text("cli.option_checkpointer"))
    threads.add_argument("--json", action="store_true", help=text("cli.run_option_json"))
    threads.set_defaults(handler=_threads)

    history = subparsers.add_parser("history", parents=[common], help=text("cli.history_help"),
                                    description=text("cli.history_help"))
    history.add_argument("target", metavar="path.py[:flow]", nargs="?", default=None,
                         help=text("cli.run_option_target"))
    add_thread_options(history, required=True)
    history.add_argument("--json", action="store_true", help=text("cli.run_option_json"))
    history.set_defaults(handler=_history)


def _resume(args: argparse.Namespace) -> int:
    answer: Any = NOTHING
    if args.value is not None:
        answer = args.value
    elif args.value_json is not None:
        try:
            answer = json.loads(args.value_json)
        except (ValueError, RecursionError) as exc:
            return _fail(UsageError("cli.bad_value_json", error=str(exc)[:200]),
                         bool(getattr(args, "verbose", False)), EXIT_USAGE)
    return _main(args, args.target, show_state=False, answer=answer)


def _store(args: argparse.Namespace) -> Any:
    from ..engine.durable import open_store

    return open_store(args.checkpointer)


def _threads(args: argparse.Namespace) -> int:
    try:
        found = _store(args).threads()
    except LiteflowError as exc:
        return _fail(exc, bool(getattr(args, "verbose", False)), EXIT_USAGE)
    if args.json:
        print(json.dumps([{"thread_id": t.thread_id, "flow": t.flow, "status": t.status,
                           "step": t.step, "branches": list(t.branches),
                           "updated_at": t.updated_at.isoformat(), "nbytes": t.nbytes}
                          for t in found], ensure_ascii=False, indent=2))
        return 0
    table = Table(title=text("cli.threads_title", url=args.checkpointer), title_justify="left")
    for column in ("thread", "flow", "status", "step", "branches", "updated", "bytes"):
        table.add_column(text(f"cli.col_{column}"))
    for t in found:
        table.add_row(t.thread_id, t.flow, t.status, str(t.step), ", ".join(t.branches),
                      t.updated_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), str(t.nbytes))
    Console(highlight=False).print(table)
    return 0


def _history(args: argparse.Namespace) -> int:
    try:
        found = _store(args).history(args.thread)
    except LiteflowError as exc:
        return _fail(exc, bool(getattr(args, "verbose", False)), EXIT_USAGE)
    if args.json:
        print(json.dumps([{"checkpoint_id": c.checkpoint_id, "branch": c.branch,
                           "step": c.step, "kind": c.kind, "nodes": list(c.nodes),
                           "written_keys": list(c.written_keys),
                           "next_nodes": list(c.next_nodes), "nbytes": c.nbytes,
                           "created_at": c.created_at.isoformat(),
                           "interrupts": list(c.interrupts)} for c in found],
                         ensure_ascii=False, indent=2, default=jsonable))
        return 0
    table = Table(title=text("cli.history_title", thread=args.thread), title_justify="left")
    for column in ("branch", "step", "kind", "nodes", "written", "next", "bytes", "created"):
        table.add_column(text(f"cli.col_{column}"))
    for c in found:
        table.add_row(c.branch, str(c.step), c.kind, ", ".join(c.nodes),
                      ", ".join(c.written_keys), ", ".join(c.next_nodes), str(c.nbytes),
                      c.created_at.astimezone().strftime("%H:%M:%S"))
    Console(highlight=False).print(table)
    return 0

