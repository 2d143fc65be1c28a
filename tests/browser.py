"""A headless Chromium for tests, and a local static server for it to open.

Chromium is the system's (`/usr/bin/chromium`, or `LITEFLOW_CHROMIUM`), driven by Playwright; the
browser build Playwright would download is never used. Every request the pages make is recorded,
and no host name but 127.0.0.1 resolves, so a test can assert that a page works with no network
at all.

Use the `chromium` fixture (registered in tests/conftest.py) and `offline_page`:

    def test_page(chromium: Browser) -> None:
        with serve_directory(site) as base, offline_page(chromium) as (page, log):
            page.goto(base + "/")
            assert log.outside() == []
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from requires import missing

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM_ARGS = (
    # No host name but 127.0.0.1 resolves: a page that reaches for the network fails visibly.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
LOCAL_HOSTS = frozenset({"127.0.0.1"})
# Schemes that never leave the page.
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


def chromium_path() -> str | None:
    explicit = os.environ.get("LITEFLOW_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """A headless Chromium, shared by one test module's tests.

    Module scope on purpose: while Playwright's sync API is open, the main thread counts as
    running an event loop, so it must be closed before the next module's tests run flows.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Python playwright is not installed (pip install playwright)")
    executable = chromium_path()
    if executable is None:
        missing("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class RequestLog:
    """Every URL the page requested, in order."""

    urls: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """The requested URLs that would have left 127.0.0.1."""
        return [u for u in self.urls if not _is_local(u)]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@contextmanager
def offline_page(browser: Browser, locale: str = "zh-CN") -> Iterator[tuple[Page, RequestLog]]:
    """A fresh page whose requests (and its workers') are logged."""
    context = browser.new_context(locale=locale, service_workers="block")
    log = RequestLog()
    context.on("request", lambda request: log.urls.append(request.url))
    try:
        yield context.new_page(), log
    finally:
        context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
