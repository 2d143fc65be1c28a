"""The documentation site, built once per test session with no network."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from requires import missing
from sitebuild import DOCS_PACKAGES, ROOT, BuiltSite, no_network_prefix


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """`mkdocs build --strict` inside a network namespace that has no network."""
    absent = [m for m in DOCS_PACKAGES if importlib.util.find_spec(m.split(".")[0]) is None]
    if absent:
        missing(f"the docs toolchain is not installed ({', '.join(absent)}): "
                "pip install -e '.[dev]'")
    prefix = no_network_prefix()
    if prefix is None:
        missing("`unshare -n` cannot create a network namespace here (needs root)")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    return BuiltSite(out, log)
