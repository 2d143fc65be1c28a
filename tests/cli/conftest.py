"""Run the command line in a real subprocess, as users do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

Run = Callable[..., subprocess.CompletedProcess[str]]


def _env(lang: str, extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COLUMNS", "LINES")}
    env.update(LITEFLOW_LANG=lang, PYTHONIOENCODING="utf-8", COLUMNS="120", NO_COLOR="1")
    env.update(extra or {})
    return env


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    """`cli(*args, lang="en", script=False, env=None)`: `python -m liteflow` (or the
    `liteflow` console script) in `tmp_path`; returns the completed process."""

    def run(*args: str, lang: str = "en", script: bool = False,
            env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if script:
            exe = shutil.which("liteflow")
            if exe is None:
                pytest.skip("the liteflow console script is not installed")
            command = [exe, *args]
        else:
            command = [sys.executable, "-m", "liteflow", *args]
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                              cwd=tmp_path, env=_env(lang, env), timeout=60, **kwargs)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """`write(name, source)`: a Python file in `tmp_path`."""

    def make(name: str, source: str) -> Path:
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        return path

    return make
