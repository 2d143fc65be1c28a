"""The page in headless Chromium: threads, the graph's node states, live supersteps
without reloading, Chinese names, fork, interrupts, read-only mode, and no request to any
host but the server's."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from liteflow.checkpoint import SqliteCheckpointer
from liteflow.ui import UIServer

from . import flows
from .conftest import ARTIFACTS, Page, q

ROOT = Path(__file__).resolve().parents[2]
WAIT = 10_000  # ms


def _run(flow: Any, thread: str, db_url: str, **inputs: Any) -> None:
    """Run `flow` to its end on `thread`, outside Playwright's event loop (a sync run
    refuses to start inside a running loop); a failure of the flow is kept."""
    def work() -> None:
        try:
            flow.with_options(thread_id=thread, checkpointer=db_url).run(**inputs)
        except Exception:
            pass

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)


def _states(page: Page) -> dict[str, str]:
    items = page.tab.locator("#node-states li[data-node]")
    return {items.nth(i).get_attribute("data-node") or "": items.nth(i).get_attribute(
        "data-status") or "" for i in range(items.count())}


def _rows(page: Page) -> list[str]:
    rows = page.tab.locator("#timeline [data-step]")
    return [rows.nth(i).get_attribute("data-step") or "" for i in range(rows.count())]


def _wait_state(page: Page, node: str, status: str) -> None:
    page.tab.wait_for_selector(f'#node-states li[data-node="{node}"][data-status="{status}"]',
                               timeout=WAIT)


def test_threads_graph_and_node_states_of_a_chinese_flow(page: Page, server: UIServer,
                                                         db_url: str) -> None:
    flows.闸门.set()
    _run(flows.写作流程, "写作-春", db_url, topic="春")
    _run(flows.计数流程, "计数-一", db_url, n=1)
    page.tab.goto(server.url + "?lang=zh")
    page.tab.wait_for_selector("#threads [data-thread]", timeout=WAIT)
    threads = page.tab.locator("#threads [data-thread]")
    assert {threads.nth(i).get_attribute("data-thread") for i in range(threads.count())} == {
        "写作-春", "计数-一"}
    page.tab.click('#threads [data-thread="写作-春"]')
    page.tab.wait_for_selector("#timeline [data-step]", timeout=WAIT)
    assert _states(page) == dict.fromkeys(flows.写作流程.plan.node_names, "done")
    assert page.tab.inner_text('#node-states li[data-node="拟定大纲"] .name') == "拟定大纲"
    assert _rows(page) == ["0", "1", "2", "3", "4"]
    # The graph is drawn (a canvas) with every node and the join barrier.
    assert page.tab.evaluate("app.cy.nodes().length") == 5 + 2  # START and one join
    assert page.tab.locator("#graph canvas").count() > 0
    # dagre lays it out left to right: the first node left of the last.
    left = page.tab.evaluate("app.cy.$('node[name = \"拟定大纲\"]').position('x')")
    right = page.tab.evaluate("app.cy.$('node[name = \"合并成稿\"]').position('x')")
    assert left < right
    # The headers come from the catalog in Chinese.
    assert "写入的键" in page.tab.inner_text("#timeline thead")
    page.tab.click('#timeline [data-step="3"]')
    page.tab.wait_for_selector('#diff [data-key="paragraphs"]', timeout=WAIT)
    assert "审批通过" in page.tab.inner_text('#diff [data-key="paragraphs"]')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.tab.screenshot(path=str(ARTIFACTS / "ui-thread.png"), full_page=True)
    assert not page.errors


def test_chinese_node_names_render_with_a_cjk_font(page: Page, server: UIServer,
                                                   db_url: str) -> None:
    _run(flows.计数流程, "字体", db_url, n=1)
    page.tab.goto(server.url + f"?thread={q('字体')}")
    page.tab.wait_for_selector('#node-states li[data-node="再加一"]', timeout=WAIT)
    # A CJK glyph is one em wide; a missing font would draw narrow boxes instead.
    width = page.tab.evaluate("""() => {
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = '20px ' + getComputedStyle(document.body).fontFamily;
        return ctx.measureText('再加一拟定大纲').width;
    }""")
    assert 7 * 20 * 0.9 <= width <= 7 * 20 * 1.1, width
    box = page.tab.locator('#node-states li[data-node="再加一"] .name').bounding_box()
    assert box is not None and box["width"] > 20


def test_a_new_superstep_appears_without_reload_while_a_flow_runs(page: Page,
                                                                  server: UIServer) -> None:
    page.tab.goto(server.url)
    page.tab.wait_for_selector('form[data-flow="写作流程"]', timeout=WAIT)
    page.tab.evaluate("window.__sameDocument = true")
    form = page.tab.locator('form[data-flow="写作流程"]')
    form.locator('input[name="topic"]').fill("秋天")
    form.locator('input[name="__thread"]').fill("实时")
    form.locator("button[type=submit]").click()
    # Blocked at the gate: the node runs, the timeline holds what was committed.
    _wait_state(page, "等待审批", "running")
    page.tab.wait_for_selector('#timeline [data-step="2"]', timeout=WAIT)
    assert "3" not in _rows(page)
    assert _states(page)["合并成稿"] == "idle"
    flows.闸门.set()
    page.tab.wait_for_selector('#timeline [data-step="4"]', timeout=WAIT)
    _wait_state(page, "等待审批", "done")
    _wait_state(page, "合并成稿", "done")
    assert _rows(page) == ["0", "1", "2", "3", "4"]
    assert page.tab.evaluate("window.__sameDocument") is True  # never reloaded
    page.tab.wait_for_selector('#threads [data-thread="实时"][data-status="completed"]',
                               timeout=WAIT)


def test_steps_of_a_run_in_another_process_arrive_live(page: Page, server: UIServer,
                                                       db_url: str) -> None:
    page.tab.goto(server.url)
    page.tab.wait_for_selector("#live[data-live='1']", timeout=WAIT)
    page.tab.evaluate("window.__sameDocument = true")
    proc = subprocess.Popen([sys.executable, "-m", "tests.ui.flows", db_url, "外部"],
                            cwd=ROOT, stderr=subprocess.PIPE)
    try:
        page.tab.wait_for_selector('#threads [data-thread="外部"]', timeout=WAIT)
        page.tab.click('#threads [data-thread="外部"]')
        page.tab.wait_for_selector('#timeline [data-step="3"]', timeout=WAIT)
        _wait_state(page, "慢三", "done")
    finally:
        proc.wait(30)
    assert proc.returncode == 0
    assert _rows(page) == ["0", "1", "2", "3"]
    assert page.tab.evaluate("window.__sameDocument") is True


def test_fork_from_here_adds_a_branch(page: Page, server: UIServer, db_url: str) -> None:
    _run(flows.计数流程, "分叉", db_url, n=1)
    page.tab.goto(server.url + f"?thread={q('分叉')}")
    page.tab.wait_for_selector('#timeline [data-step="1"] button.fork', timeout=WAIT)
    page.tab.click('#timeline [data-step="1"] button.fork')
    page.tab.wait_for_selector('#history [data-branch="b1"]', timeout=WAIT)
    page.tab.wait_for_selector('#timeline [data-branch="b1"][data-step="2"]', timeout=WAIT)
    assert "b1" in page.tab.inner_text("#thread-status")


def test_an_interrupted_thread_is_answered_and_resumed_from_the_form(
        page: Page, server: UIServer, db_url: str) -> None:
    _run(flows.审批流程, "待答", db_url, n=7)  # 人工批准 asks: the thread waits there
    page.tab.goto(server.url + f"?thread={q('待答')}&lang=zh")
    form = page.tab.locator('#interrupts form[data-interrupt="人工批准#0@1"]')
    form.wait_for(timeout=WAIT)
    assert "请批准" in form.locator("pre.payload").inner_text()
    # The answer fields are built from the JSON schema of `expect=`.
    assert form.locator('input[name="approved"][type="checkbox"]').count() == 1
    assert form.locator('input[name="comment"]').count() == 1
    _wait_state(page, "人工批准", "interrupted")
    form.locator('input[name="approved"]').check()
    form.locator('input[name="comment"]').fill("同意发布")
    form.locator("button[type=submit]").click()
    _wait_state(page, "人工批准", "done")
    store = SqliteCheckpointer(Path(db_url.removeprefix("sqlite:///")))
    try:
        loaded = store.load("待答")
        assert loaded.status == "completed"
        assert (loaded.values["approved"], loaded.values["comment"]) == (True, "同意发布")
    finally:
        store.close()


def test_read_only_mode_hides_the_controls(browser: Any, make_server: Any,
                                           db_url: str) -> None:
    _run(flows.计数流程, "只读", db_url, n=1)
    readonly = make_server(None, language="en")
    page = Page(browser, readonly)
    try:
        page.tab.goto(readonly.url + f"?thread={q('只读')}")
        page.tab.wait_for_selector('#timeline [data-step="2"]', timeout=WAIT)
        assert page.tab.is_visible("#mode")
        assert page.tab.inner_text("#mode") == "read-only (no module given)"
        assert page.tab.locator("#timeline button.fork").count() == 0
        assert page.tab.is_hidden("#flows-panel") and page.tab.is_hidden("#resume")
        assert _states(page) == {"加一": "done", "再加一": "done"}
    finally:
        page.close()


def test_the_page_makes_no_request_to_any_other_host(page: Page, server: UIServer,
                                                     db_url: str) -> None:
    flows.闸门.set()
    _run(flows.写作流程, "离线", db_url, topic="冬")
    page.tab.goto(server.url + f"?thread={q('离线')}")
    page.tab.wait_for_selector("#timeline [data-step]", timeout=WAIT)
    page.tab.click('#timeline [data-step="1"]')
    page.tab.wait_for_selector("#diff .diff-row", timeout=WAIT)
    assert page.foreign == []
    origin = server.url.rstrip("/")
    assert all(url.startswith(origin + "/") for url in page.requests), page.requests
    loaded = {url.removeprefix(origin) for url in page.requests}
    assert {"/static/vendor/cytoscape.min.js", "/static/vendor/cytoscape-dagre.min.js",
            "/static/app.js", "/static/app.css"} <= loaded
