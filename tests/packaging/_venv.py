"""Fresh virtual environments for packaging tests.

Each venv sees the interpreter's site-packages (so liteflow's dependencies need no download) but
gets its own liteflow; commands run from outside the checkout with PYTHONPATH unset, as a user's
would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env() -> dict[str, str]:
    """The environment without anything that would point imports at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_ROOT_USER_ACTION"] = "ignore"
    return env


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def run(self, *args: str | Path, cwd: Path,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL,
        )

    def pip_install(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        # The running interpreter's pip installs into the venv: no pip copied into each venv.
        return self.run(sys.executable, "-m", "pip", "--python", self.python, "install",
                        "--quiet", *args, cwd=cwd, timeout=120)


def make_venv(where: Path) -> Venv:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(where)], check=True, timeout=60)
    return Venv(where)


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout
