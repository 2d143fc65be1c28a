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
