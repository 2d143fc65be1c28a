"""The codebase stays typed and lint-clean: mypy --strict and ruff, as part of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_mypy_strict_on_the_package_and_examples() -> None:
    done = _run("mypy", "--strict", "liteflow", "examples")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_is_clean() -> None:
    done = _run("ruff", "check", "liteflow", "examples", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_package_ships_py_typed() -> None:
    assert (ROOT / "liteflow" / "py.typed").is_file()
