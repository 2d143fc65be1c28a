"""`python -m liteflow --demo` and `liteflow demo`."""

from __future__ import annotations

import time

from rich.cells import cell_len

from liteflow.testing import Failure, FakeOpenAIServer

from .conftest import Run

NODES = ("收集资料", "提炼要点", "统计字数", "撰写初稿", "评审员", "润色")


def _superstep_rows(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("step", "超步  ")))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


def test_python_m_liteflow_demo_shows_each_superstep(cli: Run) -> None:
    started = time.perf_counter()
    proc = cli("--demo")
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    for name in NODES:
        assert name in out
    rows = _superstep_rows(out)
    numbers = [row.split()[0] for row in rows if not row.startswith(" ")]
    assert numbers == [str(i) for i in range(1, 9)]
    # the fan-out: two nodes on the rows of superstep 2
    second = rows[1:3]
    assert "提炼要点" in second[0] and second[1].lstrip().startswith("统计字数")
    assert "✅ 写作流程 completed: 8 superstep(s)" in out
    assert "offline" in out
    assert elapsed < 10
    # The time column starts at the same display column on every row, whatever the
    # width of the Chinese node name before it.
    starts = {cell_len(row[:row.index(" ms")].rstrip("0123456789.")) for row in rows}
    assert len(starts) == 1, rows


def test_liteflow_demo_in_chinese(cli: Run) -> None:
    proc = cli("demo", "--topic", "杭州", lang="zh", script=True)
    assert proc.returncode == 0, proc.stderr
    assert "liteflow 演示：写作流程" in proc.stdout
    assert "主题：杭州" in proc.stdout
    assert "《杭州》" in proc.stdout
    assert "✅ 写作流程 完成：8 个超步" in proc.stdout
    assert "离线模式" in proc.stdout


def test_with_an_api_key_the_draft_comes_from_the_model(cli: Run) -> None:
    with FakeOpenAIServer(["杭州是一座美丽的城市。"]) as server:
        proc = cli("demo", "--topic", "杭州", env={
            "OPENAI_API_KEY": "test", "OPENAI_BASE_URL": server.base_url})
        assert len(server.requests) == 1
    assert proc.returncode == 0, proc.stderr
    assert "online" in proc.stdout
    assert "杭州是一座美丽的城市" in proc.stdout


def test_a_failing_model_falls_back_to_the_template(cli: Run) -> None:
    with FakeOpenAIServer([Failure(400)]) as server:
        proc = cli("--demo", "--topic", "杭州", env={
            "OPENAI_API_KEY": "test", "OPENAI_BASE_URL": server.base_url})
    assert proc.returncode == 0, proc.stderr
    assert "《杭州》" in proc.stdout


def test_offline_never_calls_the_model(cli: Run) -> None:
    with FakeOpenAIServer(["不该出现"]) as server:
        proc = cli("demo", "--offline", env={
            "OPENAI_API_KEY": "test", "OPENAI_BASE_URL": server.base_url})
        assert server.requests == []
    assert proc.returncode == 0 and "不该出现" not in proc.stdout
