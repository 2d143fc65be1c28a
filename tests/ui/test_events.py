"""Server-Sent Events: a `step` event per committed superstep within a second of its
barrier, also for a run in another process; `node` and `run` events of runs the server
starts; and the command line (`liteflow ui`, stopped by Ctrl-C)."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from liteflow.ui import UIServer

from . import flows
from .conftest import Client, q

ROOT = Path(__file__).resolve().parents[2]


class Stream:
    """Reads an event stream in a thread; events are `(kind, data, received_at)`."""

    def __init__(self, server: UIServer, path: str) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        kind, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif not line and data:
                    self.events.append((kind, json.loads(data), time.time()))
                    kind, data = "message", ""
        except (OSError, ValueError):
            pass

    def wait_for(self, check: Any, timeout: float = 10) -> list[tuple[str, dict[str, Any], float]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self.events):
                return list(self.events)
            time.sleep(0.02)
        raise AssertionError(f"events never matched: {self.events}")

    def close(self) -> None:
        self.conn.close()


def _steps(events: list[Any], thread: str) -> list[Any]:
    return [e for e in events if e[0] == "step" and e[1]["thread_id"] == thread]


def test_each_superstep_of_a_run_in_another_process_arrives_within_a_second(
        server: UIServer, db_url: str) -> None:
    stream = Stream(server, f"/api/events?thread={q('另一个进程')}")
    try:
        time.sleep(0.3)  # the tail has taken its first look
        proc = subprocess.run([sys.executable, "-m", "tests.ui.flows", db_url, "另一个进程"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        events = stream.wait_for(lambda ev: len(_steps(ev, "另一个进程")) == 4)
    finally:
        stream.close()
    steps = _steps(events, "另一个进程")
    assert [e[1]["step"] for e in steps] == [0, 1, 2, 3]
    assert [[n["name"] for n in e[1]["nodes"]] for e in steps] == [[], ["慢一"], ["慢二"],
                                                                   ["慢三"]]
    for _kind, data, received in steps:
        committed = datetime.fromisoformat(data["created_at"]).timestamp()
        assert received - committed < 1.0, (data["step"], received - committed)
    # Only the thread asked for: no other thread's events on this stream.
    assert all(e[1]["thread_id"] == "另一个进程" for e in events)
    runs = [e[1]["status"] for e in events if e[0] == "run"]
    assert runs[0] == "running" and runs[-1] == "completed"


def test_a_run_started_by_the_server_streams_node_events(server: UIServer) -> None:
    client = Client(server)
    stream = Stream(server, "/api/events")
    try:
        status, _ = client.post(f"/api/flows/{q('写作流程')}/runs",
                                {"inputs": {"topic": "夏"}, "thread_id": "节点事件"})
        assert status == 202
        stream.wait_for(lambda ev: any(e[0] == "node" and e[1]["node"] == "等待审批"
                                       and e[1]["status"] == "running" for e in ev))
        # Blocked at the gate: the thread view says so too.
        detail = client.get(f"/api/threads/{q('节点事件')}")
        assert detail["node_states"]["等待审批"] == "running"
        assert detail["node_states"]["拟定大纲"] == "done"
        flows.闸门.set()
        # The run's own end comes at once, the committed steps from the store's tail.
        events = stream.wait_for(lambda ev: len(_steps(ev, "节点事件")) == 5 and any(
            e[0] == "run" and e[1]["status"] == "completed" for e in ev))
    finally:
        stream.close()
    nodes = [(e[1]["node"], e[1]["status"]) for e in events if e[0] == "node"]
    assert nodes.index(("等待审批", "running")) < nodes.index(("等待审批", "done"))
    assert ("合并成稿", "done") in nodes
    assert [e[1]["step"] for e in _steps(events, "节点事件")] == [0, 1, 2, 3, 4]


def test_stopping_the_server_ends_open_streams(server: UIServer) -> None:
    stream = Stream(server, "/api/events")
    server.stop()
    stream.thread.join(5)
    assert not stream.thread.is_alive()


def test_the_command_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    flows.计数流程.with_options(thread_id="命令行", checkpointer=db).run(n=1)
    proc = subprocess.Popen(
        [sys.executable, "-m", "liteflow", "ui", str(ROOT / "tests/ui/flows.py"),
         "--checkpointer", db, "--port", "0", "--lang", "zh"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + proc.stderr.read() if proc.stderr else line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=5)
        conn.request("GET", "/api/threads")
        threads = json.loads(conn.getresponse().read())
        assert [t["thread_id"] for t in threads] == ["命令行"]
        assert "按 Ctrl-C 停止" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "已停止" in out and "Traceback" not in err


def test_the_command_reports_a_missing_module_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "liteflow", "ui", "没有.py", "--port", "0"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "LITEFLOW_LANG": "en"})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "没有.py" in proc.stderr


def test_a_thread_that_asks_a_question_sends_an_interrupt_event(server: UIServer,
                                                                db_url: str) -> None:
    from liteflow.checkpoint import InterruptRecord, SqliteCheckpointer

    flows.开关["失败"] = True
    try:
        flows.重试流程.with_options(thread_id="提问", checkpointer=db_url).run(n=1)
    except Exception:
        pass  # 可能失败 failed: the thread waits at step 2
    stream = Stream(server, f"/api/events?thread={q('提问')}")
    try:
        time.sleep(0.3)
        store = SqliteCheckpointer(Path(db_url.removeprefix("sqlite:///")))
        store.put_interrupts([InterruptRecord("提问", "main", 2, 1, 0, 0, "可能失败[0]#0@2",
                                              store.serde.encode("同意吗？"))])
        store.close()
        events = stream.wait_for(lambda ev: any(e[0] == "interrupt" for e in ev))
    finally:
        stream.close()
    asked = next(e[1] for e in events if e[0] == "interrupt")
    assert asked["interrupts"] == [{"id": "可能失败[0]#0@2", "step": 2, "node": "可能失败",
                                    "instance": 0, "payload": "同意吗？", "answered": False}]
    assert any(e[0] == "run" and e[1]["status"] == "interrupted" for e in events)
