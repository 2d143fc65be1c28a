"""Importing the user's module the page runs flows of (as `liteflow check` imports it)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType

from ..core.errors import LiteflowError, UIError

__all__ = ["load_module"]


def load_module(path: str | Path) -> ModuleType:
    """Import the Python file at `path`; its folder goes on sys.path for sibling imports."""
    file = Path(path)
    if not file.is_file():
        raise UIError("ui.module_not_found", path=str(path))
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"_liteflow_ui_{file.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise UIError("ui.module_load_failed", path=str(path), error="not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look classes up here
    try:
        spec.loader.exec_module(module)
    except LiteflowError:
        del sys.modules[name]
        raise
    except BaseException as exc:
        del sys.modules[name]
        raise UIError("ui.module_load_failed", path=str(path),
                      error=f"{type(exc).__name__}: {exc}") from exc
    return module
