"""Tests that need a tool skip on a developer machine without it, and fail in CI.

`.ci/run` sets `LITEFLOW_CI=1` after installing every tool, so a missing one there is a failure,
never a silent skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("LITEFLOW_CI") == "1"


def missing(reason: str) -> NoReturn:
    """Skip the current test (fail it under LITEFLOW_CI=1) because `reason`."""
    if in_ci():
        pytest.fail(f"LITEFLOW_CI=1 and {reason}", pytrace=False)
    pytest.skip(reason)


def require(condition: bool, reason: str) -> None:
    if not condition:
        missing(reason)
