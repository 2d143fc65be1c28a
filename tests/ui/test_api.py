"""The JSON API on 127.0.0.1 with urllib: security checks, runs, steps, state diffs,
forks, resume, interrupts and read-only mode (SPEC §5.5)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from liteflow.ui import UIServer

from . import flows
from .conftest import Client, q


def _wait_status(client: Client, thread: str, status: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [t for t in client.get("/api/threads") if t["thread_id"] == thread]
        if found and found[0]["status"] == status:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"thread {thread} never became {status}")


def test_session_gives_a_token_and_the_page_texts(client: Client) -> None:
    zh = client.get("/api/session?lang=zh")
    en = client.get("/api/session?lang=en")
    assert len(zh["token"]) >= 20 and zh["token"] == en["token"]
    assert zh["texts"]["timeline"] == "超步时间线"
    assert en["texts"]["timeline"] == "Superstep timeline"
    assert zh["readonly"] is False


def test_flows_list_inputs_outputs_and_the_graph(client: Client) -> None:
    by_name = {f["name"]: f for f in client.get("/api/flows")}
    writing = by_name["写作流程"]
    assert writing["inputs"] == [{"key": "topic", "type": "str", "required": True}]
    assert writing["outputs"] == [{"key": "article", "type": "str"}]
    names = {n["id"]: n["name"] for n in writing["graph"]["nodes"]}
    assert {"拟定大纲", "写开头", "写正文", "等待审批", "合并成稿"} <= set(names.values())
    joins = [n["id"] for n in writing["graph"]["nodes"] if n["kind"] == "join"]
    assert len(joins) == 1
    into_join = sorted(names[e["source"]] for e in writing["graph"]["edges"]
                       if e["target"] == joins[0])
    assert into_join == ["写开头", "写正文"]


def test_a_foreign_host_header_is_refused(server: UIServer, client: Client) -> None:
    status, body = client.request("GET", "/api/threads",
                                  headers={"Host": f"evil.example:{server.port}"})
    assert status == 403
    assert "evil.example" in body["error"] and body["id"] == "ui.bad_host"
    status, _ = client.request("GET", "/api/threads",
                               headers={"Host": f"localhost:{server.port}"})
    assert status == 200
    status, _ = client.request("GET", "/", headers={"Host": f"127.0.0.1:{server.port + 1}"})
    assert status == 403


def test_posts_need_the_session_token_and_a_same_origin(server: UIServer,
                                                        client: Client) -> None:
    path = f"/api/flows/{q('计数流程')}/runs"
    status, body = client.request("POST", path, {"inputs": {"n": 1}})
    assert status == 403 and body["id"] == "ui.bad_token"
    status, body = client.post(path, {"inputs": {"n": 1}}, token="wrong")
    assert status == 403 and body["id"] == "ui.bad_token"
    status, body = client.request("POST", path, {"inputs": {"n": 1}}, headers={
        "X-Liteflow-Token": client.token, "Origin": "http://evil.example"})
    assert status == 403 and body["id"] == "ui.bad_origin"
    assert client.get("/api/threads") == []  # nothing ran


def test_a_run_started_from_the_api_is_checkpointed_step_by_step(client: Client) -> None:
    status, started = client.post(f"/api/flows/{q('计数流程')}/runs",
                                  {"inputs": {"n": 1}, "thread_id": "计数-1"})
    assert status == 202 and started["thread_id"] == "计数-1" and started["run_id"]
    _wait_status(client, "计数-1", "completed")
    steps = client.get(f"/api/threads/{q('计数-1')}/steps")
    assert [(s["step"], s["kind"]) for s in steps] == [(0, "input"), (1, "step"), (2, "step")]
    assert [n["name"] for n in steps[1]["nodes"]] == ["加一"]
    assert steps[1]["nodes"][0]["duration"] >= 0 and steps[1]["written_keys"] == ["n"]
    assert all(s["nbytes"] > 0 for s in steps)
    detail = client.get(f"/api/threads/{q('计数-1')}")
    assert detail["node_states"] == {"加一": "done", "再加一": "done"}
    state = client.get(f"/api/threads/{q('计数-1')}/state?step=2")
    assert state["values"]["n"] == {"value": 3}
    assert state["diff"] == [{"key": "n", "existed": True, "op": "set",
                              "before": {"value": 2}, "after": {"value": 3}}]


def test_an_append_key_diff_shows_only_the_new_items(client: Client) -> None:
    flows.闸门.set()
    client.post(f"/api/flows/{q('写作流程')}/runs", {"inputs": {"topic": "春"},
                                                   "thread_id": "写作"})
    _wait_status(client, "写作", "completed")
    steps = client.get(f"/api/threads/{q('写作')}/steps")
    approval = next(s for s in steps if [n["name"] for n in s["nodes"]] == ["等待审批"])
    diff = client.get(f"/api/threads/{q('写作')}/state?step={approval['step']}")["diff"]
    assert diff == [{"key": "paragraphs", "existed": True, "op": "append",
                     "added": {"value": ["审批通过"]}}]
    first = next(s for s in steps if len(s["nodes"]) == 2)
    diff = client.get(f"/api/threads/{q('写作')}/state?step={first['step']}")["diff"]
    assert diff[0]["op"] == "append" and sorted(diff[0]["added"]["value"]) == [
        "开头：春：起", "正文：春：承"]


def test_large_values_are_truncated_unless_all_is_asked(client: Client) -> None:
    client.post(f"/api/flows/{q('大值流程')}/runs", {"inputs": {"n": 70000},
                                                   "thread_id": "大"})
    _wait_status(client, "大", "completed")
    short = client.get(f"/api/threads/{q('大')}/state?step=1")
    after = short["diff"][0]["after"]
    assert after["truncated"] is True and after["size"] > 70000
    assert len(after["preview"]) < 70000
    full = client.get(f"/api/threads/{q('大')}/state?step=1&full=1")
    assert full["diff"][0]["after"]["value"] == "长" * 70000


def test_bad_inputs_and_unknown_flows_get_clear_messages(client: Client) -> None:
    status, body = client.post(f"/api/flows/{q('计数流程')}/runs", {"inputs": {"n": "三"}})
    assert status == 400 and "n" in body["error"] and "int" in body["error"]
    status, body = client.post(f"/api/flows/{q('没有的流程')}/runs", {"inputs": {}})
    assert status == 404 and "没有的流程" in body["error"] and "计数流程" in body["error"]
    status, body = client.post(f"/api/flows/{q('计数流程')}/runs", {"inputs": [1]})
    assert status == 400 and "inputs" in body["error"]
    status, body = client.request("GET", f"/api/threads/{q('无此线程')}")
    assert status == 404 and "无此线程" in body["error"]


def test_a_failed_thread_is_resumed_from_the_api(client: Client) -> None:
    flows.开关["失败"] = True
    client.post(f"/api/flows/{q('重试流程')}/runs", {"inputs": {"n": 1}, "thread_id": "重试"})
    _wait_status(client, "重试", "failed")
    states = client.get(f"/api/threads/{q('重试')}")["node_states"]
    assert states == {"加一": "done", "可能失败": "failed"}
    flows.开关["失败"] = False
    try:
        status, body = client.post(f"/api/threads/{q('重试')}/resume", {})
        assert status == 202 and body["thread_id"] == "重试"
        _wait_status(client, "重试", "completed")
    finally:
        flows.开关["失败"] = True
    assert client.get(f"/api/threads/{q('重试')}/state")["values"]["n"] == {"value": 12}
    # Nothing committed ran again: 加一 appears once in the history.
    ran = [n["name"] for s in client.get(f"/api/threads/{q('重试')}/steps") for n in s["nodes"]]
    assert ran == ["加一", "可能失败"]


def test_fork_from_a_step_adds_a_branch_and_runs_on_it(client: Client) -> None:
    client.post(f"/api/flows/{q('计数流程')}/runs", {"inputs": {"n": 1}, "thread_id": "分叉"})
    _wait_status(client, "分叉", "completed")
    status, body = client.post(f"/api/threads/{q('分叉')}/fork", {"step": 1})
    assert status == 202 and body["branch"] == "b1"
    info = _wait_status(client, "分叉", "completed")
    assert info["branches"] == ["main", "b1"]
    detail = client.get(f"/api/threads/{q('分叉')}")
    assert detail["branch"] == "b1" and detail["forks"][0]["step"] == 1
    steps = client.get(f"/api/threads/{q('分叉')}/steps")
    assert [(s["branch"], s["step"]) for s in steps] == [("main", 0), ("main", 1), ("b1", 2)]
    status, body = client.post(f"/api/threads/{q('分叉')}/fork", {"step": "一"})
    assert status == 400 and "step" in body["error"]


def test_a_question_is_shown_with_its_form_and_answered_through_the_api(
        client: Client) -> None:
    client.post(f"/api/flows/{q('审批流程')}/runs", {"inputs": {"n": 7}, "thread_id": "问"})
    _wait_status(client, "问", "interrupted")
    detail = client.get(f"/api/threads/{q('问')}")
    (asked,) = detail["interrupts"]
    assert (asked["id"], asked["node"], asked["answered"]) == ("人工批准#0@1", "人工批准", False)
    assert asked["payload"]["question"] == {"请批准": 7}
    assert set(asked["payload"]["schema"]["properties"]) == {"approved", "comment"}
    assert detail["node_states"]["人工批准"] == "interrupted"
    # A wrong answer is refused by resume() itself: nothing is stored, the question waits.
    status, body = client.post(f"/api/threads/{q('问')}/resume", {"value": {"approved": "是"}})
    _wait_status(client, "问", "interrupted")
    status, body = client.post(f"/api/threads/{q('问')}/resume",
                               {"value": {"approved": True, "comment": "好"}})
    assert status == 202, body
    _wait_status(client, "问", "completed")
    values = client.get(f"/api/threads/{q('问')}/state")["values"]
    assert values["approved"]["value"] is True and values["comment"]["value"] == "好"


def test_read_only_mode_browses_and_refuses_changes(make_server: Any, db_url: str) -> None:
    flows.计数流程.with_options(thread_id="只读", checkpointer=db_url).run(n=5)
    readonly = Client(make_server(None))
    assert readonly.get("/api/session")["readonly"] is True
    assert readonly.get("/api/flows") == []
    detail = readonly.get(f"/api/threads/{q('只读')}")
    # Without the module, the graph comes from the thread's stored shape.
    graph = detail["graph"]
    assert [n["name"] for n in graph["nodes"]] == ["START", "加一", "再加一"]
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    assert [(names[e["source"]], names[e["target"]]) for e in graph["edges"]] == [
        ("START", "加一"), ("加一", "再加一")]
    assert detail["node_states"] == {"加一": "done", "再加一": "done"}
    for path, body in ((f"/api/flows/{q('计数流程')}/runs", {"inputs": {"n": 1}}),
                       (f"/api/threads/{q('只读')}/resume", {}),
                       (f"/api/threads/{q('只读')}/fork", {"step": 1})):
        status, answer = readonly.post(path, body)
        assert status == 403 and answer["id"] == "ui.readonly"


def test_unknown_addresses_and_static_files(client: Client) -> None:
    status, body = client.request("GET", "/api/nothing")
    assert status == 404 and body["id"] == "ui.not_found"
    status, _ = client.request("GET", "/static/../_server.py")
    assert status == 404


def test_the_server_binds_loopback_and_stops_cleanly(server: UIServer) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.loopback
    server.stop()
    with pytest.raises(OSError):
        import urllib.request

        urllib.request.urlopen(server.url + "api/session", timeout=2)
