"""`EventBus`, `SuperStepEvent` as users build them, and the bilingual logger lines."""

from __future__ import annotations

import logging
import re

import pytest

from liteflow import EventBus, SuperStepEvent, Workflow
from liteflow.core.logger import enable_logging, log_run_finished, log_run_started
from liteflow.core.messages import use_language


def test_superstep_events_are_constructible_as_the_design_document_writes() -> None:
    event = SuperStepEvent(superstep=1, active_nodes=["清洗器"], completed_nodes=["清洗器"])
    assert (event.superstep, event.active_nodes, event.completed_nodes) == (
        1, ("清洗器",), ("清洗器",))
    assert (event.flow, event.run_id) == ("", "")
    assert SuperStepEvent(2, ("a",), ("a",)) == SuperStepEvent(2, ["a"], ["a"])
    with pytest.raises(AttributeError):
        event.superstep = 3  # type: ignore[misc]


def test_the_event_bus_delivers_in_order_and_unsubscribes() -> None:
    bus = EventBus()
    got: list[str] = []
    bus.subscribe(lambda ev: got.append(f"一:{ev.superstep}"))  # type: ignore[attr-defined]
    unsubscribe = bus.subscribe(lambda ev: got.append("二"))
    bus.emit(SuperStepEvent(1, ["a"], ["a"]))
    unsubscribe()
    bus.emit(SuperStepEvent(2, ["a"], ["a"]))
    assert got == ["一:1", "二", "一:2"]


def _workflow() -> Workflow:
    return Workflow("数据分析", {"data": " x "}).add_node("清洗器", lambda s: {"c": 1})


@pytest.mark.parametrize(("language", "started", "finished"), [
    ("zh", "🚀 工作流 数据分析 开始执行", r"✅ 工作流 数据分析 完成，耗时 \d+\.\d\ds"),
    ("en", "🚀 Workflow 数据分析 started", r"✅ Workflow 数据分析 finished in \d+\.\d\ds"),
])
def test_runs_log_start_and_finish_lines(caplog: pytest.LogCaptureFixture, language: str,
                                         started: str, finished: str) -> None:
    with caplog.at_level(logging.INFO, logger="liteflow"):
        _workflow().with_options(language=language).run()
    lines = [r.getMessage() for r in caplog.records if r.name == "liteflow"]
    assert lines[0] == started
    assert re.fullmatch(finished, lines[1])


def test_log_functions_format_seconds(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="liteflow"), use_language("zh"):
        log_run_started("写作流程")
        log_run_finished("写作流程", 1.234)
    assert caplog.messages == ["🚀 工作流 写作流程 开始执行", "✅ 工作流 写作流程 完成，耗时 1.23s"]


def test_nothing_is_logged_below_info(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="liteflow"):
        _workflow().run()
    assert not [r for r in caplog.records if r.name == "liteflow"]


def test_enable_logging_prints_the_lines(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    logger = logging.getLogger("liteflow")
    level = logger.level
    handler = enable_logging(stream=sys.stderr)
    try:
        with use_language("en"):
            _workflow().run()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert "🚀 Workflow 数据分析 started" in capsys.readouterr().err
