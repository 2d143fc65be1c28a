"""`liteflow run path.py[:flow]` and `python -m liteflow --workflow path.py[:name]`.

Runs a `@flow`, a builder `Workflow` or a `Graph` defined in a file and prints its
outputs (or, for `--workflow` and builder workflows, the final state). Mistakes in the
command line or the file give one clear message and a non-zero exit status:
2 when nothing could be started (file, object, inputs), 1 when the run failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, Union, get_args, get_origin

from rich.console import Console

from ..core.errors import FlowInputError, LiteflowError
from ..core.events import EventListener
from ..core.messages import text
from ..core.result import RunResult
from ..definitions._runnable import Runnable
from ..definitions.flow import Flow
from ..definitions.graph import Graph
from ..definitions.workflow import Workflow
from ..engine import PregelEngine
from ._loader import UsageError, choose_flow, load_module, split_target
from ._metrics import add_metrics_option, metrics_json, print_metrics, with_metrics
from ._progress import StatusLine, SuperstepPrinter, jsonable, mapping_table

__all__ = ["UsageError", "execute", "find_target", "parse_inputs", "register", "run_command",
           "run_workflow_flag"]

Target = Runnable[Any, Any] | Graph

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("run", parents=[common], help=text("cli.run_help"),
                                   description=text("cli.run_help"))
    parser.add_argument("target", metavar="path.py[:flow]", help=text("cli.run_option_target"))
    add_input_options(parser, suppress=True)
    add_thread_options(parser, required=False)
    add_metrics_option(parser)
    parser.set_defaults(handler=run_command)


def add_thread_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """`--checkpointer URL --thread ID`: run on a durable thread."""
    parser.add_argument("--checkpointer", metavar="URL", required=required,
                        default=None, help=text("cli.option_checkpointer"))
    parser.add_argument("--thread", metavar="ID", required=required, default=None,
                        help=text("cli.option_thread"))


def add_input_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--input key=value`, `--input-json '{...}'` and `--json`."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--input", dest="inputs", action="append", metavar="KEY=VALUE",
                        default=default, help=text("cli.run_option_input"))
    parser.add_argument("--input-json", dest="input_json", metavar="JSON", default=default,
                        help=text("cli.run_option_input_json"))
    parser.add_argument("--json", dest="json", action="store_true",
                        default=argparse.SUPPRESS if suppress else False,
                        help=text("cli.run_option_json"))


def run_command(args: argparse.Namespace) -> int:
    """`liteflow run`: print the outputs (the final state for builder workflows)."""
    return _main(args, args.target, show_state=False)


def run_workflow_flag(args: argparse.Namespace) -> int:
    """`python -m liteflow --workflow path.py[:name]`: print the final state."""
    return _main(args, args.workflow, show_state=True)


# -- finding what to run ----------------------------------------------------------------


def find_target(module: ModuleType, path: str, name: str | None) -> tuple[str, Target]:
    """The flow, workflow or graph to run: the one named, or the module's only one."""
    return choose_flow(module, path, name)


# -- inputs -----------------------------------------------------------------------------


def parse_inputs(pairs: Sequence[str] | None, raw_json: str | None,
                 hints: Mapping[str, Any]) -> dict[str, Any]:
    """`--input-json` first, then each `--input key=value` (a value is parsed as JSON unless
    the input is declared as a string, so `n=3` is 3 and `topic=123` stays "123")."""
    inputs: dict[str, Any] = {}
    if raw_json is not None:
        try:
            loaded = json.loads(raw_json)
        except json.JSONDecodeError as exc:
            raise UsageError("cli.run_bad_json", error=str(exc)) from None
        except RecursionError:
            raise UsageError("cli.input_json_too_deep") from None
        if not isinstance(loaded, dict):
            raise UsageError("cli.run_json_not_object", kind=type(loaded).__name__)
        inputs.update(loaded)
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError("cli.run_bad_input", value=pair)
        inputs[key] = _coerce(value, hints.get(key))
    return inputs


def _coerce(value: str, hint: Any) -> Any:
    if _accepts_str(hint):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value  # the run's input check reports a real type mismatch


def _accepts_str(hint: Any) -> bool:
    if hint is str:
        return True
    if get_origin(hint) is Union or type(hint).__name__ == "UnionType":
        return any(arg is str for arg in get_args(hint))
    return False


def _hints(target: Target) -> dict[str, Any]:
    if isinstance(target, Flow):
        return {i.name: i.hint for i in target.decl.inputs}
    if isinstance(target, Workflow):
        return {key: type(value) for key, value in target.initial_state.items()}
    return {}


# -- running ----------------------------------------------------------------------------


def execute(target: Target, inputs: Mapping[str, Any],
            listener: EventListener | None, answer: Any = None) -> RunResult[Any]:
    """Run any kind of target with `inputs`, sending events to `listener` (with `answer`,
    resume its thread instead, `NOTHING` meaning no answer)."""
    if isinstance(target, Runnable):
        runnable = target if listener is None else target.with_options(on_event=listener)
        if answer is not None:
            return runnable.resume(answer)
        return runnable.run(**inputs)
    engine = PregelEngine(target, inputs, on_event=listener)
    engine.execute()
    assert engine.result is not None
    return engine.result


def on_thread(target: Target, args: argparse.Namespace) -> Target:
    """`target` configured with `--checkpointer`/`--thread`, if they were given."""
    url = getattr(args, "checkpointer", None)
    thread = getattr(args, "thread", None)
    if url is None and thread is None:
        return target
    if url is None:
        raise UsageError("cli.thread_needs_checkpointer")
    if not isinstance(target, Runnable):
        raise UsageError("cli.thread_needs_runnable", name=target.name)
    return target.with_options(checkpointer=url, thread_id=thread)


def _main(args: argparse.Namespace, spec: str, *, show_state: bool,
          answer: Any = None) -> int:
    verbose = bool(getattr(args, "verbose", False))
    as_json = bool(getattr(args, "json", False))
    out = Console(highlight=False)
    # Progress goes to stderr when stdout carries JSON.
    progress = Console(stderr=True, highlight=False) if as_json else out
    path, name = split_target(spec)
    try:
        module = load_module(path)
        target = on_thread(with_metrics(find_target(module, path, name)[1], args), args)
        inputs = parse_inputs(getattr(args, "inputs", None), getattr(args, "input_json", None),
                              _hints(target))
    except LiteflowError as exc:
        return _fail(exc, verbose, EXIT_USAGE)
    try:
        plan = target.plan  # a builder workflow compiles here (LF201, …)
    except LiteflowError as exc:
        return _fail(exc, verbose, EXIT_FAILED)
    listener: Callable[[Any], None] | None = None
    spinner = Console(stderr=True)
    try:
        with contextlib.ExitStack() as stack:
            if verbose:
                listener = SuperstepPrinter(progress, plan.node_names)
            elif spinner.is_terminal:  # progress for people, nothing for pipes
                status = stack.enter_context(
                    spinner.status(text("cli.run_running", flow=target.name)))
                listener = StatusLine(status, target.name)
            result = execute(target, inputs, listener, answer)
    except FlowInputError as exc:
        return _fail(exc, verbose, EXIT_USAGE)
    except LiteflowError as exc:
        return _fail(exc, verbose, EXIT_FAILED)
    except KeyboardInterrupt as stop:
        # A sync run's says which flow and superstep it stopped.
        print(str(stop) or text("cli.run_cancelled"), file=sys.stderr)
        return EXIT_CANCELLED
    except Exception as exc:
        return _fail(exc, verbose, EXIT_FAILED)
    state_only = show_state or not isinstance(target, Flow)
    if as_json:
        summary = _summary(target, result)
        if result.metrics is not None:
            summary["metrics"] = metrics_json(result.metrics)
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=jsonable))
        return 0
    if result.status == "interrupted":
        for asked in result.interrupts:
            out.print(text("cli.waiting", flow=target.name, id=asked.id, node=asked.node,
                           payload=asked.payload))
        out.print(text("cli.resume_hint"), style="dim")
        return 0
    values = result.final_state if state_only else result.output
    title = text("cli.run_final_state" if state_only else "cli.run_outputs")
    out.print(mapping_table(title, values))
    if verbose and not state_only:
        out.print(mapping_table(text("cli.run_final_state"), result.final_state))
    print_metrics(out, target.name, result.metrics)
    out.print(text("cli.run_done", flow=target.name, supersteps=result.supersteps,
                   seconds=result.duration), style="green")
    return 0


def _summary(target: Target, result: RunResult[Any]) -> dict[str, Any]:
    return {
        "flow": target.name,
        "status": result.status,
        "output": dict(result.output) if isinstance(target, Flow) else
        result.final_state.to_dict(),
        "final_state": result.final_state.to_dict(),
        "supersteps": result.supersteps,
        "duration": round(result.duration, 6),
        "run_id": result.run_id,
        "interrupt": result.interrupt,
        "interrupts": [{"id": i.id, "node": i.node, "payload": i.payload,
                        "superstep": i.superstep} for i in result.interrupts],
        "thread_id": result.thread_id,
    }


def _fail(exc: BaseException, verbose: bool, status: int) -> int:
    """One line on stderr (the traceback too with --verbose); returns `status`."""
    if isinstance(exc, LiteflowError):
        message = text("cli.run_error", error=exc.render())
    elif verbose:
        message = text("cli.run_error", error=f"{type(exc).__name__}: {exc}")
    else:
        message = text("cli.run_unexpected", error=f"{type(exc).__name__}: {exc}")
    print(message, file=sys.stderr)
    if verbose:
        traceback.print_exception(exc)
    return status

