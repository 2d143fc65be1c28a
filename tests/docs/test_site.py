"""The built site: both languages, translated theme labels, search data, no outside URLs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from requires import missing
from sitebuild import ROOT, BuiltSite, no_network_prefix

import liteflow


def test_unshare_really_removes_the_network() -> None:
    prefix = no_network_prefix()
    if prefix is None:
        missing("`unshare -n` cannot create a network namespace here (needs root)")
    code = ("import socket\n"
            "try:\n"
            "    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
            "except OSError:\n"
            "    print('offline')\n")
    out = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=30)
    assert out.stdout.strip() == "offline", out


def test_build_is_strict_and_offline_in_both_languages(site: BuiltSite) -> None:
    assert "WARNING" not in site.log, site.log
    for page in ("index.html", "concepts/index.html", "reference/index.html",
                 "observability/index.html"):
        assert (site.path / page).is_file(), page
        assert (site.path / "en" / page).is_file(), f"en/{page}"


def _html(site: BuiltSite, page: str) -> str:
    return (site.path / page).read_text(encoding="utf-8")


def test_theme_labels_follow_the_language(site: BuiltSite) -> None:
    zh = _html(site, "concepts/index.html")
    en = _html(site, "en/concepts/index.html")
    assert '<html lang="zh"' in zh and '<html lang="en"' in en
    assert 'placeholder="搜索"' in zh and 'placeholder="Search"' in en
    assert "上一页" in zh and "下一页" in zh
    assert "Previous" in en and "Next" in en
    assert "Previous" not in zh and "Search" not in re.sub(r"<script.*?</script>", "", zh,
                                                           flags=re.S)


def test_code_is_highlighted_at_build_time(site: BuiltSite) -> None:
    page = _html(site, "index.html")
    # Pygments spans (keyword, name, string) are in the HTML; no highlighter script is loaded.
    assert re.search(r'<span class="kn">from</span>', page)
    assert "hljs" not in page and "highlight.js" not in page


def test_no_page_loads_anything_from_another_host(site: BuiltSite) -> None:
    loads = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="(https?:)?//',
                       re.I)
    offenders = [
        str(p.relative_to(site.path)) for p in site.path.rglob("*.html")
        if loads.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    css_imports = [
        str(p.relative_to(site.path)) for p in site.path.rglob("*.css")
        if re.search(r"@import\s+url\(\s*['\"]?https?:", p.read_text(encoding="utf-8"))
    ]
    assert css_imports == []


def test_search_index_has_chinese_words(site: BuiltSite) -> None:
    index = json.loads((site.path / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "zh" in index["config"]["lang"]
    words: set[str] = set()
    for doc in index["docs"]:
        words.update(re.split(index["config"]["separator"], doc["text"] + " " + doc["title"]))
    # jieba cut the text at build time, the project's terms as whole words.
    assert {"超步", "检查", "装饰器", "节点"} <= words


def test_api_reference_covers_every_public_name(site: BuiltSite) -> None:
    for lang in ("zh", "en"):
        source = (ROOT / "docs" / lang / "reference.md").read_text(encoding="utf-8")
        page = _html(site, "reference/index.html" if lang == "zh" else "en/reference/index.html")
        for name in liteflow.__all__:
            if name == "__version__":
                continue
            assert f"::: liteflow.{name}\n" in source, (
                f"add `::: liteflow.{name}` to docs/{lang}/reference.md")
            assert f'id="liteflow.{name}"' in page, f"liteflow.{name} not rendered ({lang})"


def test_pages_link_into_the_reference(site: BuiltSite) -> None:
    for prefix in ("", "en/"):
        linking = [p for p in (site.path / prefix).glob("*/index.html")
                   if "reference/#liteflow." in p.read_text(encoding="utf-8")
                   and p.parent.name != "reference"]
        assert len(linking) >= 3, (prefix, linking)


def test_every_page_is_in_the_nav(site: BuiltSite) -> None:
    for lang in ("zh", "en"):
        pages = {p.stem for p in (ROOT / "docs" / lang).glob("*.md")}
        nav = _html(site, "index.html" if lang == "zh" else "en/index.html")
        for page in pages - {"index"}:
            assert f'href="{page}/"' in nav or f'href="./{page}/"' in nav, (lang, page)
