"""`liteflow run path.py[:flow]` and `python -m liteflow --workflow path.py[:name]`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len

from .conftest import EXAMPLES, Run

BUILDER = str(EXAMPLES / "数据分析_builder.py")

TYPED = '''
from typing import TypedDict
from liteflow import START, flow, node

class 结果(TypedDict):
    标题: str
    总数: int

@node
def 汇总(主题: str, 数量: int, 标签: list[str]) -> 结果:
    return {"标题": f"{主题}×{数量}", "总数": 数量 + len(标签)}

@flow(output=结果)
def 报告(主题: str, 数量: int, 标签: list[str] = []) -> None:
    START >> 汇总
'''

NESTED = '''
from typing import TypedDict
from liteflow import START, flow, node

class 值(TypedDict):
    x: int

@node
def 加一(x: int) -> 值:
    return {"x": x + 1}

@flow(output=值)
def 内层(x: int) -> None:
    START >> 加一

@node
def 翻倍(x: int) -> 值:
    return {"x": x * 2}

@flow(output=值)
def 外层(x: int) -> None:
    内层 >> 翻倍
'''


def test_run_a_flow_with_typed_inputs(cli: Run, write: Callable[[str, str], Path]) -> None:
    write("报告.py", TYPED)
    proc = cli("run", "报告.py", "--input", "主题=123", "--input", "数量=3",
               "--input", '标签=["a", "b"]', script=True)
    assert proc.returncode == 0, proc.stderr
    assert "Outputs" in proc.stdout
    assert "123×3" in proc.stdout  # 主题 is a str: "123" stays text; 数量 is parsed as 3
    assert "✅ 报告 completed: 1 superstep(s)" in proc.stdout


def test_run_json_for_machines(cli: Run, write: Callable[[str, str], Path]) -> None:
    write("报告.py", TYPED)
    proc = cli("run", "报告.py:报告", "--input-json", '{"主题": "周报", "数量": 2}',
               "--input", "数量=5", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["output"] == {"标题": "周报×5", "总数": 5}  # --input wins over --input-json
    assert data["flow"] == "报告" and data["status"] == "completed"
    assert data["supersteps"] == 1 and data["final_state"]["主题"] == "周报"


def test_run_a_builder_workflow_prints_its_final_state(cli: Run) -> None:
    proc = cli("run", f"{BUILDER}:workflow", "--input", "data= 新数据 ", "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    assert "最终状态" in proc.stdout
    assert "分析: 新数据" in proc.stdout
    assert "✅ 数据分析 完成：2 个超步" in proc.stdout


def test_legacy_workflow_flag_with_verbose_supersteps(cli: Run) -> None:
    proc = cli("--workflow", f"{BUILDER}:graph", "--input", "value=10", "--verbose")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Final state" in out
    for key, value in (("value", "11"), ("doubled", "22"), ("squared", "121")):
        assert any(line.split("│")[1:3] == [f" {key} ".ljust(len(line.split("│")[1])),
                                           f" {value} ".ljust(len(line.split("│")[2]))]
                   for line in out.splitlines() if line.count("│") == 3), (key, out)
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("step"))
    rows = lines[header + 1: header + 4]
    assert rows[0].split()[:2] == ["1", "start"]
    assert rows[1].split()[:2] == ["2", "加倍"] and rows[2].split()[0] == "平方"
    assert all(" ms" in row for row in rows)
    # the node column is aligned by display width: 加倍 and 平方 are 4 cells wide
    assert len({cell_len(row[:row.index(" ms")].rstrip("0123456789.")) for row in rows}) == 1


def test_workflow_flag_prints_the_final_state_of_a_flow(cli: Run,
                                                         write: Callable[[str, str], Path]
                                                         ) -> None:
    write("嵌套.py", NESTED)
    # 内层 is used inside 外层, so 外层 is the file's one top-level flow.
    proc = cli("--workflow", "嵌套.py", "--input", "x=1", "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert "Final state" in proc.stdout and "外层" in proc.stdout
    assert "4" in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if line[:1].isdigit()]
    assert [row.split()[1] for row in rows] == ["内层", "翻倍"]  # the nested run is one node
