"""`liteflow demo` / `python -m liteflow --demo`: the built-in Chinese demo.

Runs `liteflow._demo.写作流程` — a chain, a fan-out with a join and a conditional
loop — printing each superstep as it happens. No API key is needed; with
`OPENAI_API_KEY` set (and no `--offline`) the draft is written by a real model.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from typing import Any

from rich.console import Console

from ..core.errors import LiteflowError
from ..core.messages import text
from ._progress import SuperstepPrinter, mapping_table

__all__ = ["DEFAULT_TOPIC", "register", "run_demo"]

DEFAULT_TOPIC = "机器学习"
DEFAULT_MODEL = "gpt-4o-mini"


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("demo", parents=[common], help=text("cli.demo_help"),
                                   description=text("cli.demo_help"))
    add_demo_options(parser, suppress=True)
    parser.set_defaults(handler=run_demo)


def add_demo_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--topic` and `--offline` (also accepted next to the legacy `--demo` flag)."""
    parser.add_argument("--topic", default=argparse.SUPPRESS if suppress else None,
                        help=text("cli.demo_option_topic"))
    parser.add_argument("--offline", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help=text("cli.demo_option_offline"))


def run_demo(args: argparse.Namespace) -> int:
    from .._demo import PASS_SCORE, 写作流程

    console = Console(highlight=False)
    topic = getattr(args, "topic", None) or DEFAULT_TOPIC
    console.rule(text("cli.demo_title", flow=写作流程.name))
    console.print(text("cli.demo_topic", topic=topic))
    chain = "收集资料 → [提炼要点, 统计字数] → 撰写初稿 → 评审员"
    console.print(text("cli.demo_chain", path=chain))
    console.print(text("cli.demo_fanout", branches="提炼要点 ∥ 统计字数", join="撰写初稿"))
    console.print(text("cli.demo_loop", check="评审员", fix="润色", target=PASS_SCORE))
    deps: dict[str, Any] = {}
    model = _model(bool(getattr(args, "offline", False)))
    if model is None:
        console.print(text("cli.demo_offline"), style="dim")
    else:
        deps["model"] = model
        console.print(text("cli.demo_online", model=model.model), style="dim")
    console.print()
    console.print(text("cli.demo_supersteps"), style="bold")
    printer = SuperstepPrinter(console, 写作流程.plan.node_names)
    try:
        result = 写作流程.with_options(on_event=printer, context=deps).run(主题=topic)
    except KeyboardInterrupt:
        print(text("cli.run_cancelled"), file=sys.stderr)
        return 130
    except LiteflowError as exc:
        print(text("cli.run_error", error=exc.render()), file=sys.stderr)
        if getattr(args, "verbose", False):
            traceback.print_exception(exc)
        return 1
    console.print()
    console.print(mapping_table(text("cli.run_outputs"), result.output))
    console.print(text("cli.run_done", flow=写作流程.name, supersteps=result.supersteps,
                       seconds=result.duration), style="green")
    return 0


def _model(offline: bool) -> Any:
    """A chat model when `OPENAI_API_KEY` is set (and not offline), else None."""
    if offline or not os.environ.get("OPENAI_API_KEY"):
        return None
    from ..components import ChatOpenAI

    name = os.environ.get("LITEFLOW_DEMO_MODEL", DEFAULT_MODEL)
    return ChatOpenAI(model=name, timeout=30.0, max_retries=1)
