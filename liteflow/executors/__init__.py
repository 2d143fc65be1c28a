"""Where a flow's node calls run: in this process, or on a Ray or Dask cluster.

`LocalExecutor` is the default. `RayExecutor` (extra `liteflow[ray]`) and `DaskExecutor`
(extra `liteflow[dask]`) are imported on first use, so importing this package never
imports Ray or Dask. Pass an instance: `flow.with_options(executor=RayExecutor())`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.executor import Executor, LocalExecutor
from ._remote import RemoteExecutor

if TYPE_CHECKING:
    from .dask import DaskExecutor
    from .ray import RayExecutor

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "RayExecutor", "RemoteExecutor"]

_LAZY = {"RayExecutor": ".ray", "DaskExecutor": ".dask"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    found = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = found
    return found
