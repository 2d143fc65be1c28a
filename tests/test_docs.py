"""The docs' shape: both languages, every page in the nav, README's two entry points.

The site itself is built and tested in tests/docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INSTALL = "python3 -m pip install -e '.[dev]' && "
ENTRY_POINTS = [
    INSTALL + "python3 -m liteflow --demo   # install, then run the demo",
    INSTALL + "python3 -m pytest -q          # install, then run every test",
]


def _pages(lang: str) -> set[Path]:
    return {p.relative_to(ROOT / "docs" / lang) for p in (ROOT / "docs" / lang).rglob("*.md")}


def test_docs_pages_exist_in_both_languages() -> None:
    assert _pages("zh"), "no Chinese pages"
    assert _pages("zh") == _pages("en")


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:"):]
    listed = {Path(m) for m in re.findall(r"^\s+-\s+(?:[^:\n]+:\s+)?(\S+\.md)\s*$", nav, re.M)}
    assert listed == _pages("zh")


def test_readme_starts_with_its_two_entry_points() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[2:6] == ["```bash", *ENTRY_POINTS, "```"]


def test_readme_tour_links_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert {"docs/zh/index.md", "docs/en/index.md", "tests/compiler/corpus/",
            "benchmarks/RESULTS.md"} <= set(links)
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
