"""Chinese search in the built site, in a real browser, with nothing loaded from the network."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from browser import offline_page, serve_directory
from sitebuild import BuiltSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SEARCH_ATTEMPTS = 3


def _wait_for_search_index(page: Page) -> None:
    # The theme shows its "type to start searching" label once the search worker has loaded the
    # index. A search box focused before that ignores what is typed, so wait, then focus it.
    ready = page.evaluate("JSON.parse(document.getElementById('__config').textContent)"
                          ".translations['search.result.placeholder']")
    page.wait_for_function(
        "label => document.querySelector('.md-search-result__meta').textContent.trim() === label",
        arg=ready, timeout=15_000)


def _search(page: Page, query: str) -> list[str]:
    """Type `query` into the site's search box; the result links, once they are for `query`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    box = page.locator("input.md-search__input")
    # Result links carry the terms they matched (?h=...), a word of this query: wait for
    # links highlighting one of its characters (so not the previous query's results).
    this_query = ", ".join(f'a.md-search-result__link[href*="h={quote(ch)}"]' for ch in query)
    for _ in range(SEARCH_ATTEMPTS):
        box.click()
        box.fill(query)
        # The theme searches on key-up; `fill` alone sends only an input event.
        box.dispatch_event("keyup")
        try:
            page.wait_for_selector(this_query, timeout=5_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    hrefs: list[str] = page.locator(this_query).evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    return hrefs


QUERIES = ("超步", "检查", "装饰器", "超步之间")


def _page_file(site: BuiltSite, base: str, href: str) -> Path:
    path = href.removeprefix(base).split("?")[0].split("#")[0].strip("/")
    return site.path / path / "index.html" if path else site.path / "index.html"


def test_chinese_search_finds_pages_offline(chromium: Browser, site: BuiltSite) -> None:
    with serve_directory(site.path) as base, offline_page(chromium) as (page, log):
        failed: list[str] = []
        page.on("response",
                lambda r: r.status >= 400 and "sitemap" not in r.url and failed.append(r.url))
        page.goto(base + "/concepts/")
        assert page.locator("html").get_attribute("lang") == "zh"
        _wait_for_search_index(page)
        for query in QUERIES:
            hrefs = _search(page, query)
            assert hrefs and all(h.startswith(base) for h in hrefs), (query, hrefs)
            # Chinese pages are found, and the first of them really contains the word.
            zh_pages = [h for h in hrefs if "/en/" not in h]
            assert zh_pages, f"no Chinese page found for {query!r}: {hrefs}"
            first = _page_file(site, base, zh_pages[0])
            assert query[:2] in first.read_text(encoding="utf-8"), (query, first)
            page.keyboard.press("Escape")
        assert log.urls, "the request log saw nothing"
        assert log.outside() == [], f"requests left 127.0.0.1: {log.outside()}"
        assert failed == [], f"requests that failed: {failed}"


def test_english_site_searches_in_english(chromium: Browser, site: BuiltSite) -> None:
    with serve_directory(site.path) as base, offline_page(chromium, locale="en-US") as (page, log):
        page.goto(base + "/en/concepts/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("input.md-search__input").get_attribute("placeholder") == "Search"
        _wait_for_search_index(page)
        hrefs = _search(page, "superstep")
        assert any("/en/" in h for h in hrefs), hrefs
        assert log.outside() == []
