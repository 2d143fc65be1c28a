"""`liteflow run --metrics`: a table aligned by display width, in zh and en, and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

FLOW = '''
import time
from typing import TypedDict
from liteflow import flow, node

class 稿(TypedDict):
    text: str

@node
def 写作(topic: str) -> 稿:
    time.sleep(0.01)
    return {"text": "关于" + topic}

@node(retry_count=1, retry_delay=0.001)
def polish(text: str) -> 稿:
    return {"text": text + "！"}

@flow(output=稿)
def 写作流程(topic: str) -> None:
    写作 >> polish
'''


def _run(tmp_path: Path, *args: str, lang: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "flows.py"
    script.write_text(FLOW, encoding="utf-8")
    env = {**os.environ, "LITEFLOW_LANG": lang, "COLUMNS": "160", "NO_COLOR": "1",
           "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "liteflow", "run", str(script), *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False,
                          cwd=tmp_path)


@pytest.mark.parametrize(("lang", "header", "title"), [
    ("zh", "调用", "运行指标：写作流程"), ("en", "calls", "Run metrics: 写作流程")])
def test_metrics_table_lines_up_chinese_and_latin_names(tmp_path: Path, lang: str,
                                                        header: str, title: str) -> None:
    done = _run(tmp_path, "--input", "topic=AI", "--metrics", lang=lang)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(title in line for line in lines)
    head = next(line for line in lines if header in line)
    rows = [line for line in lines if line.lstrip("│┃ ").startswith(("写作 ", "polish "))]
    assert len(rows) == 2
    # Every row of the table is as wide on screen as its header (display cells).
    assert {cell_len(row) for row in rows} == {cell_len(head)}
    # The column separators sit at the same display positions in every row.
    def bars(line: str) -> list[int]:
        return [cell_len(line[:i]) for i, ch in enumerate(line) if ch in "│┃"]
    assert bars(rows[0]) == bars(rows[1]) == bars(head)


def test_without_the_option_no_table(tmp_path: Path) -> None:
    done = _run(tmp_path, "--input", "topic=AI", lang="en")
    assert done.returncode == 0, done.stderr
    assert "Run metrics" not in done.stdout


def test_metrics_in_the_json_summary(tmp_path: Path) -> None:
    done = _run(tmp_path, "--input", "topic=AI", "--metrics", "--json", lang="en")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    nodes = summary["metrics"]["nodes"]
    assert list(nodes) == ["写作", "polish"]
    assert nodes["写作"]["calls"] == 1 and nodes["写作"]["total_s"] >= 0.01
    assert summary["metrics"]["supersteps"] == 2
