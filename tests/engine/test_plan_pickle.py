"""A compiled plan is picklable (so it can travel to worker processes) and runs the same."""

from __future__ import annotations

import asyncio
import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from liteflow.engine import PregelRunner

MODULE = textwrap.dedent('''
    from typing import Annotated, TypedDict
    from liteflow import UpdateStrategy, flow, node

    class 草稿(TypedDict):
        text: str
        log: Annotated[list[str], UpdateStrategy.APPEND]

    class 评审(TypedDict):
        score: int

    @node
    def 写作(topic: str) -> 草稿:
        return {"text": topic, "log": ["写"]}

    @node
    def 评审员(text: str) -> 评审:
        return {"score": len(text)}

    def 太短(out: 评审) -> bool:
        return out["score"] < 3

    @node
    def 加长(text: str) -> 草稿:
        return {"text": text + "长", "log": ["加"]}

    @flow(output=评审)
    def 可序列化(topic: str) -> None:
        写作 >> 评审员
        评审员 >> 加长.when(太短)
        加长 >> 评审员
''')


@pytest.fixture()
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    (tmp_path / "pickle_flow_mod.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    mod = importlib.import_module("pickle_flow_mod")
    yield mod
    sys.modules.pop("pickle_flow_mod", None)


def test_plan_round_trips_through_pickle_and_runs(module: object) -> None:
    flow = module.可序列化  # type: ignore[attr-defined]
    plan = pickle.loads(pickle.dumps(flow.plan))
    assert plan.fingerprint == flow.plan.fingerprint
    assert plan.node_names == flow.plan.node_names
    result = asyncio.run(PregelRunner(plan).run({"topic": "a"}))
    assert result.output == {"score": 3}
    assert result.final_state["log"] == ["写", "加", "加"]
    assert pickle.loads(pickle.dumps(flow)) is flow
