"""The runner continues from any saved point, and a failed superstep leaves that point intact."""

from __future__ import annotations

import asyncio
from typing import Annotated, TypedDict

import pytest

from liteflow import START, NodeError, UpdateStrategy, flow, node
from liteflow.core.context import RunInfo
from liteflow.core.events import EventBus
from liteflow.engine.runner import Checkpoint, PregelRunner


class 计数(TypedDict):
    n: int
    log: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 加(n: int) -> 计数:
    return {"n": n + 1, "log": [f"加{n}"]}


@node
def 乘(n: int) -> 计数:
    if n > 100:
        raise ValueError("太大")
    return {"n": n * 2, "log": [f"乘{n}"]}


@flow(output=计数)
def 交替(n: int) -> None:
    START >> 加
    加 >> 乘
    乘 >> 加.when(lambda out: out["n"] < 50)


def _run_info() -> RunInfo:
    return RunInfo(run_id="r", thread_id=None, flow="交替", deps={}, bus=EventBus())


def test_advance_continues_from_a_saved_point() -> None:
    plan = 交替.plan
    full = 交替.run(n=0)
    # Stop after superstep 4 by hand: replay the same supersteps from a saved point.
    points: list[Checkpoint] = []
    runner = PregelRunner(plan)
    start = Checkpoint({"n": 0}, plan.entries, {}, 0)

    def save(point: Checkpoint) -> None:
        points.append(Checkpoint(dict(point.values), point.active,
                                 {k: set(v) for k, v in point.arrivals.items()},
                                 point.superstep))

    asyncio.run(runner.advance(start, _run_info(), after_barrier=save))
    assert start.values["n"] == full.output["n"]
    middle = points[3]
    assert middle.superstep == 4
    resumed = Checkpoint(dict(middle.values), middle.active, {}, middle.superstep)
    asyncio.run(runner.advance(resumed, _run_info()))
    assert resumed.values == start.values
    assert resumed.superstep == full.supersteps


def test_a_failed_superstep_leaves_the_saved_point_untouched() -> None:
    runner = PregelRunner(交替.plan)
    point = Checkpoint({"n": 101, "log": ["旧"]}, (交替.plan.index["乘"],), {}, 7)
    with pytest.raises(NodeError) as info:
        asyncio.run(runner.advance(point, _run_info()))
    assert info.value.superstep == 8
    assert point.values == {"n": 101, "log": ["旧"]}
    assert point.superstep == 7
    assert point.active == (交替.plan.index["乘"],)
