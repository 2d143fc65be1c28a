"""`liteflow ui [module.py] [--checkpointer URL] [--host H] [--port P]`: the local page."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from ..core.errors import LiteflowError
from ..core.messages import text

__all__ = ["register", "run_ui"]


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("ui", parents=[common], help=text("ui.help"),
                                   description=text("ui.help"))
    parser.add_argument("module", nargs="?", default=None, help=text("ui.option_module"))
    parser.add_argument("--checkpointer", metavar="URL", default="sqlite:///liteflow-runs.db",
                        help=text("ui.option_checkpointer"))
    parser.add_argument("--host", default="127.0.0.1", help=text("ui.option_host"))
    parser.add_argument("--port", type=int, default=8765, help=text("ui.option_port"))
    parser.set_defaults(handler=run_ui)


def run_ui(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until Ctrl-C (or until `stop` is set); 2 when the page cannot be served."""
    from ..ui import UIServer

    try:
        server = UIServer(args.module, checkpointer=args.checkpointer, host=args.host,
                          port=args.port, language=getattr(args, "lang", None)).start()
    except LiteflowError as exc:
        print(text("ui.failed", error=str(exc)), file=sys.stderr)
        return 2
    if not server.loopback:
        print(text("ui.not_loopback", host=args.host), file=sys.stderr)
    mode = (text("ui.mode_module", count=len(server.flows), path=args.module)
            if args.module else text("ui.mode_readonly"))
    print(text("ui.serving", url=server.url, mode=mode), flush=True)
    waiting = stop or threading.Event()
    try:
        while not waiting.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(text("ui.stopped"), flush=True)
    return 0
