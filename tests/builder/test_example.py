"""`examples/数据分析_builder.py` runs and prints what its comments promise."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "数据分析_builder.py"


def test_the_builder_example(capsys: pytest.CaptureFixture[str]) -> None:
    namespace = runpy.run_path(str(EXAMPLE), run_name="example")
    namespace["main"]()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "{'data': '  原始数据  ', 'clean': '原始数据', 'result': '分析: 原始数据'}"
    assert lines[1:3] == ["超步 1：完成 ['审核']", "超步 2：完成 ['发布']"]
    assert lines[3] == "{'value': 11, 'doubled': 22, 'squared': 121}"
    assert lines[4].startswith("并行处理: 2 个超步")
