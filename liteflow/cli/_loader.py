"""Loading a user's module from a path, and finding the flows in it (for every command)."""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.errors import LiteflowError
from ..core.suggest import did_you_mean
from ..definitions._runnable import Drawable
from ..definitions.flow import Flow

__all__ = ["LoadError", "UsageError", "choose_flow", "is_drawable", "load_module", "module_flows",
           "split_target"]


class LoadError(LiteflowError):
    """A module given on the command line could not be loaded."""

    msg_id = "cli.load_failed"


def split_target(target: str) -> tuple[str, str | None]:
    """`path.py:name` → (`path.py`, `name`); `path.py` → (`path.py`, None)."""
    path, sep, name = target.rpartition(":")
    if sep and path and not (len(path) == 1 and path.isalpha()):  # not a Windows drive
        return path, name or None
    return target, None


def load_module(path: str) -> ModuleType:
    """Import the Python file at `path` (its folder goes on sys.path for sibling imports).

    Whatever the module prints while it imports goes to stderr, so that it never mixes
    into a report or a diagram on stdout.
    """
    file = Path(path)
    if file.is_dir():
        raise LoadError("cli.is_directory", path=path)
    if not file.is_file():
        raise LoadError("cli.file_not_found", path=path)
    if file.suffix not in (".py", ".pyw"):
        raise LoadError("cli.not_python", path=path)
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"_liteflow_user_{file.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise LoadError("cli.not_python", path=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except LiteflowError:
        raise
    except BaseException as exc:
        del sys.modules[name]
        raise LoadError("cli.load_failed", path=path,
                        error=f"{type(exc).__name__}: {exc}") from exc
    return module


# What the command line works with: a `@flow`, a builder `Workflow` or a `Graph` (each
# has `.name`, `.plan`, `.diagnostics`, `to_mermaid()`, `to_dot()`). Once these share
# their base class, this is `isinstance(obj, Drawable)`.
def is_drawable(obj: Any) -> bool:
    """A flow, a builder workflow or a graph instance (nominal: `plan` is never evaluated)."""
    return isinstance(obj, Drawable)


def module_flows(module: ModuleType) -> dict[str, Any]:
    """Module-level flows, builder workflows and graphs, by variable name, in definition
    order (an object bound to two names is listed once)."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for name, obj in vars(module).items():
        if name.startswith("__") or id(obj) in seen or not is_drawable(obj):
            continue
        seen.add(id(obj))
        found[name] = obj
    return found


class UsageError(LiteflowError):
    """The command line names something that does not exist or gives unusable inputs."""

    msg_id = "cli.run_bad_input"


def choose_flow(module: ModuleType, path: str, name: str | None) -> tuple[str, Any]:
    """(variable, object): the flow named `name`, or the module's only top-level one."""
    found = module_flows(module)
    if name is not None:
        obj = getattr(module, name, None)
        if obj is None:
            for var, candidate in found.items():
                if candidate.name == name:
                    return var, candidate
            names = [*found, *(f.name for f in found.values())]
            raise UsageError("cli.run_target_missing", path=path, name=name,
                              options=", ".join(found) or "-", hint=did_you_mean(name, names))
        if not is_drawable(obj):
            raise UsageError("cli.run_not_runnable", path=path, name=name,
                              kind=type(obj).__name__)
        return name, obj
    if not found:
        raise UsageError("cli.run_no_target", path=path)
    if len(found) > 1:
        top = _top_level(found)
        if len(top) == 1:
            return next(iter(top.items()))
        raise UsageError("cli.run_target_ambiguous", path=path, options=", ".join(top))
    return next(iter(found.items()))


def _top_level(found: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out flows that are used as a node of another flow in the same module."""
    used: set[int] = set()
    for obj in found.values():
        if isinstance(obj, Flow):
            used.update(id(spec) for spec in obj.decl.nodes if spec.kind == "flow")
    return {var: obj for var, obj in found.items()
            if not (isinstance(obj, Flow) and id(obj.spec) in used)}
