"""Loading a user's module from a path and finding the flows in it."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.errors import LiteflowError

__all__ = ["LoadError", "is_flow_like", "load_module", "module_flows", "split_target"]


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
    """Import the Python file at `path` (its folder goes on sys.path for sibling imports)."""
    file = Path(path)
    if not file.is_file():
        raise LoadError("cli.file_not_found", path=path)
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"_liteflow_user_{file.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise LoadError("cli.load_failed", path=path, error="not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except LiteflowError:
        raise
    except BaseException as exc:
        del sys.modules[name]
        raise LoadError("cli.load_failed", path=path,
                        error=f"{type(exc).__name__}: {exc}") from exc
    return module


# What makes a module-level object a flow for `check`, `graph` and `run`: it can report
# its compiler diagnostics without raising and draw itself. `@flow` objects, builder
# `Workflow`s and `Graph`s all do; a new kind of flow only has to provide the same.
_FLOW_API = ("diagnostics", "plan", "to_mermaid", "to_dot")


def is_flow_like(obj: Any) -> bool:
    """A flow, a builder workflow or a graph instance (not a class)."""
    if isinstance(obj, type | ModuleType):
        return False
    kind = type(obj)
    own = getattr(obj, "__dict__", {})
    # Looked up on the class (or the instance's own dict): evaluating `plan` could raise.
    return all(hasattr(kind, attr) or attr in own for attr in _FLOW_API)


def module_flows(module: ModuleType) -> dict[str, Any]:
    """Module-level flows and builder workflows, by variable name, in definition order."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for name, obj in vars(module).items():
        if name.startswith("__") or id(obj) in seen or not is_flow_like(obj):
            continue
        seen.add(id(obj))
        found[name] = obj
    return found
