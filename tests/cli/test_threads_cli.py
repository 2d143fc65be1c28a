"""`liteflow run/resume/threads/history` on durable threads, as a user types them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FLOW = '''
from typing import TypedDict
from liteflow import START, Context, flow, node

class 结论(TypedDict):
    通过: bool

@node
def 审批(topic: str, ctx: Context) -> 结论:
    answer: 结论 = ctx.interrupt({"请审阅": topic}, expect=结论)
    return answer

@flow(output=结论)
def 审稿(topic: str) -> None:
    START >> 审批
'''


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "liteflow", *args], cwd=tmp,
                          capture_output=True, text=True, timeout=120)


def test_a_thread_is_run_answered_listed_and_shown(tmp_path: Path) -> None:
    (tmp_path / "审稿.py").write_text(FLOW, encoding="utf-8")
    on = ("--checkpointer", "sqlite:///runs.db", "--thread", "稿件-7")
    paused = _cli(tmp_path, "run", "审稿.py", *on, "--input", "topic=检查点", "--json")
    assert paused.returncode == 0, paused.stderr
    summary = json.loads(paused.stdout)
    assert summary["status"] == "interrupted"
    assert summary["interrupts"][0]["id"] == "审批#0@1"
    wrong = _cli(tmp_path, "resume", "审稿.py", *on, "--value-json", '{"通过": "x"}')
    assert wrong.returncode == 1 and "审批#0@1" in wrong.stderr and "Traceback" not in wrong.stderr
    done = _cli(tmp_path, "resume", "审稿.py", *on, "--value-json", '{"通过": true}', "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["output"] == {"通过": True}
    threads = _cli(tmp_path, "threads", "--checkpointer", "sqlite:///runs.db", "--json")
    assert [(t["thread_id"], t["status"]) for t in json.loads(threads.stdout)] == [
        ("稿件-7", "completed")]
    history = _cli(tmp_path, "history", "审稿.py", *on, "--json")
    assert [c["kind"] for c in json.loads(history.stdout)] == ["input", "step"]
    table = _cli(tmp_path, "--lang", "zh", "threads", "--checkpointer", "sqlite:///runs.db")
    assert "线程" in table.stdout and "稿件-7" in table.stdout


def test_thread_options_are_checked(tmp_path: Path) -> None:
    (tmp_path / "审稿.py").write_text(FLOW, encoding="utf-8")
    alone = _cli(tmp_path, "run", "审稿.py", "--thread", "t", "--input", "topic=x")
    assert alone.returncode == 2 and "--checkpointer" in alone.stderr
    bad_json = _cli(tmp_path, "resume", "审稿.py", "--checkpointer", "sqlite:///runs.db",
                    "--thread", "t", "--value-json", "{")
    assert bad_json.returncode == 2 and "--value-json" in bad_json.stderr
    unknown = _cli(tmp_path, "threads", "--checkpointer", "redis://x")
    assert unknown.returncode == 2 and "redis://x" in unknown.stderr
