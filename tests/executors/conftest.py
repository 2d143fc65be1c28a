"""Selects the Ray tests by network namespace (see `executor_support`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from executor_support import HERE, RAY_FILES, loopback_only


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    inside = loopback_only()
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        path = Path(str(item.fspath))
        if path.parent != HERE:
            keep.append(item)
        elif path.name in RAY_FILES:
            (keep if inside else dropped).append(item)
        elif path.name == "test_ray_namespace.py":
            (dropped if inside else keep).append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
