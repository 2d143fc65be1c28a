"""The documentation site builds cleanly in both languages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _mkdocs_available() -> bool:
    try:
        import mkdocs  # noqa: F401
        import mkdocs_static_i18n  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _mkdocs_available(), reason="mkdocs and mkdocs-static-i18n not installed")
def test_docs_build_strict_in_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "index.html").is_file()
    assert (out / "en" / "index.html").is_file()


def test_docs_pages_exist_in_both_languages() -> None:
    zh = {p.relative_to(ROOT / "docs" / "zh") for p in (ROOT / "docs" / "zh").rglob("*.md")}
    en = {p.relative_to(ROOT / "docs" / "en") for p in (ROOT / "docs" / "en").rglob("*.md")}
    assert zh, "no Chinese pages"
    assert zh == en

