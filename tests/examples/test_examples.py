"""Every example runs and produces what it promises."""

from __future__ import annotations

import runpy
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _main(name: str) -> Any:
    namespace = runpy.run_path(str(EXAMPLES / name), run_name="example")
    return namespace["main"]()


def test_writing_loop_reaches_the_quality_gate() -> None:
    result = _main("写作循环.py")
    assert result.output == {"score": 80}
    assert result.final_state["iteration"] == 4
    assert result.supersteps == 10


def test_parallel_research_fans_out_and_joins() -> None:
    started = time.perf_counter()
    result = _main("并行研究.py")
    assert time.perf_counter() - started < 1.0
    report = result.output["report"]
    assert report.startswith("# 大模型与智能体")
    assert "论文：智能体的最新进展" in report and "共 6 个来源" in report
    assert result.supersteps == 3


def test_document_map_summarises_every_document_once() -> None:
    result = _main("文档摘要.py")
    assert result.output["count"] == 5
    lines = result.output["digest"].splitlines()
    assert lines == [f"资料/第{i}章：关于工作流编排的讨论" for i in range(1, 6)]


def test_chat_thread_grows_turn_by_turn(tmp_path: Path) -> None:
    namespace = runpy.run_path(str(EXAMPLES / "聊天线程.py"), run_name="example")
    db = tmp_path / "对话.db"
    result = namespace["main"]([str(db)])
    assert result.output["轮次"] == 3 and len(result.output["messages"]) == 6
    again = namespace["main"]([str(db)])  # the same file: the conversation goes on
    assert again.output["轮次"] == 6 and again.output["messages"][:6] == result.output["messages"]


def test_review_flow_loops_until_a_person_approves() -> None:
    result = _main("人工审稿.py")
    assert result.status == "completed"
    assert result.output == {"通过": True, "意见": "可以发表"}
    assert result.final_state["稿"] == "第2稿：检查点让工作流更可靠。"


REVIEW_CHILD = """
import runpy, sys
from pathlib import Path
ns = runpy.run_path(sys.argv[1], run_name="example")
with ns["配置"](Path(sys.argv[2])) as app:
    if sys.argv[3] == "ask":
        print(app.run(主题="崩溃").status)
    elif sys.argv[3] == "answer":
        app.resume({"通过": True, "意见": "杀掉之前就答了"})
    else:
        result = app.resume()
        print(result.status, result.output["意见"])
"""


def test_review_survives_a_kill_between_the_answer_and_the_rest(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    db = tmp_path / "审稿.db"

    def child(step: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", REVIEW_CHILD, str(EXAMPLES / "人工审稿.py"),
                               str(db), step], capture_output=True, text=True, timeout=60,
                              env={**os.environ, **env})

    assert child("ask").stdout.strip() == "interrupted"
    killed = child("answer", LITEFLOW_TEST_CRASH="2:after_answer")
    assert killed.returncode == -9, killed.stderr  # killed right after the answer was stored
    resumed = child("continue")
    assert resumed.stdout.strip() == "completed 杀掉之前就答了", resumed.stderr
