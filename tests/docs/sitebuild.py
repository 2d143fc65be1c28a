"""Helpers for building the documentation site (the `site` fixture is in conftest)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS_PACKAGES = ("mkdocs", "material", "mkdocs_static_i18n", "mkdocstrings_handlers.python",
                 "jieba")


@dataclass(frozen=True)
class BuiltSite:
    path: Path
    log: str


def no_network_prefix() -> list[str] | None:
    """`unshare -n` when it works here (it needs root or user namespaces), else None."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10)
    return [unshare, "-n"] if probe.returncode == 0 else None
