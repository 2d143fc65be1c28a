"""Fixtures of the page's tests: a server on 127.0.0.1 over a real SQLite file, and a
headless Chromium driven by Playwright (Debian's `/usr/bin/chromium`; never a browser
download). Without Chromium or Playwright the browser tests skip with the reason, except
under `LITEFLOW_CI=1`, where a missing browser fails them."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from liteflow.ui import UIServer

from . import flows

CHROMIUM = os.environ.get("LITEFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Screenshots for a person to look at.
ARTIFACTS = Path(os.environ.get("LITEFLOW_ARTIFACTS",
                                Path(tempfile.gettempdir()) / "liteflow-ui-artifacts"))


@pytest.fixture(autouse=True)
def _closed_gate() -> Iterator[None]:
    flows.闸门.clear()
    yield
    flows.闸门.set()  # never leave a run blocked behind a test


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / '运行.db'}"


@pytest.fixture
def make_server(db_url: str) -> Iterator[Callable[..., UIServer]]:
    started: list[UIServer] = []

    def make(module: Any = flows, **options: Any) -> UIServer:
        options.setdefault("checkpointer", db_url)
        server = UIServer(module, **options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server: Callable[..., UIServer]) -> UIServer:
    return make_server()


class Client:
    """The JSON API over urllib, as a script would use it."""

    def __init__(self, server: UIServer) -> None:
        self.server = server
        self.base = server.url.rstrip("/")
        self._token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.get("/api/session")["token"]
        return self._token

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def get(self, path: str) -> Any:
        status, data = self.request("GET", path)
        assert status == 200, data
        return data

    def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        return self.request("POST", path, body,
                            {"X-Liteflow-Token": self.token if token is None else token})


def q(value: str) -> str:
    return quote(value, safe="")


@pytest.fixture
def client(server: UIServer) -> Client:
    return Client(server)


def chromium_problem(chromium: str = CHROMIUM) -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install playwright)"
    if not (Path(chromium).is_file() or shutil.which(chromium)):
        return f"no Chromium at {chromium} (apt-get install chromium)"
    return None


def give_up(problem: str) -> None:
    """Skip with the reason on a developer's machine; fail under `LITEFLOW_CI=1`."""
    if os.environ.get("LITEFLOW_CI") == "1":
        pytest.fail(f"browser tests must run in CI: {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an event loop running on
    # the main thread while it is open, and sync `flow.run()` refuses to start inside
    # one; the browser must be gone before other modules' tests run flows.
    problem = chromium_problem()
    if problem is not None:
        give_up(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One context for the module (making one costs about a second); each test has
        # its own tab, and the tab's route sees every request it makes.
        context = chromium.new_context(viewport={"width": 1400, "height": 1000},
                                       locale="zh-CN")
        yield context
        context.close()
        chromium.close()


class Page:
    """A browser tab on the server's page that records every request it makes; requests
    to any other host are aborted (and recorded)."""

    def __init__(self, browser: Any, server: UIServer) -> None:
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.origin = server.url.rstrip("/")
        self.tab = browser.new_page()
        self.tab.route("**/*", self._route)
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url == self.origin or url.startswith(self.origin + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def close(self) -> None:
        self.tab.close()


@pytest.fixture
def page(browser: Any, server: UIServer) -> Iterator[Page]:
    tab = Page(browser, server)
    yield tab
    tab.close()
