"""History and time travel (SPEC §5.3): every checkpoint can be read, forked and re-run;
branches never overwrite history."""

from __future__ import annotations

from typing import Annotated, TypedDict

import pytest

from liteflow import START, UpdateStrategy, flow, node
from liteflow.core.errors import CheckpointError, FlowInputError


class 状态(TypedDict):
    n: int
    log: Annotated[list[int], UpdateStrategy.APPEND]


@node
def 步(n: int) -> 状态:
    return {"n": n + 1, "log": [n * n]}


@flow(output=状态)
def 十步(n: int) -> None:
    START >> 步
    步 >> 步.when(lambda out: out["n"] < 10)


def test_history_lists_every_superstep_oldest_first() -> None:
    app = 十步.with_options(thread_id="历史", checkpointer="memory://")
    app.run(n=0)
    history = app.history()
    assert [c.step for c in history] == list(range(11))
    assert history[0].kind == "input" and history[0].next_nodes == ("步",)
    assert all(c.kind == "step" and c.nodes == ("步",) for c in history[1:])
    assert history[3].written_keys == ("n", "log") and history[-1].next_nodes == ()
    assert app.history(limit=3) == history[-3:] or len(app.history(limit=3)) == 3


def test_forking_at_every_step_equals_a_fresh_run_from_that_state() -> None:
    app = 十步.with_options(thread_id="分叉", checkpointer="memory://")
    final = app.run(n=0)
    for k in range(11):
        at = app.state(step=k, branch="main")
        assert at.step == k and at.values["n"] == k
        assert at.next == (("步",) if k < 10 else ())
        forked = app.resume(from_step=k)
        # The fork continues the stored state (its log up to k) exactly as the thread
        # did, and what it runs is what a fresh run from that state runs.
        assert forked.final_state.to_dict() == final.final_state.to_dict()
        assert forked.supersteps == 10 - k
        if k < 10:
            fresh_from_k = 十步.run(n=k).final_state.to_dict()
            assert forked.final_state["log"][k:] == fresh_from_k["log"]
    branches = {c.branch for c in app.history()}
    assert branches == {"main", *(f"b{i}" for i in range(1, 12))}
    # The original branch is untouched.
    assert app.state(branch="main").values.to_dict() == final.final_state.to_dict()


def test_update_state_then_resume_follows_the_new_values() -> None:
    app = 十步.with_options(thread_id="改", checkpointer="memory://")
    app.run(n=0)
    info = app.update_state({"n": 5, "log": [-1]}, as_node="步")
    assert info.kind == "update" and info.next_nodes == ("步",)
    result = app.resume()
    assert result.output["n"] == 10
    assert result.output["log"][10:] == [-1, 25, 36, 49, 64, 81]
    changed = app.resume(from_step=3, update={"n": 8})
    assert changed.output["log"] == [0, 1, 4, 64, 81]


def test_time_travel_mistakes_are_explained() -> None:
    app = 十步.with_options(thread_id="错", checkpointer="memory://")
    with pytest.raises(CheckpointError, match="run"):
        app.history()
    app.run(n=8)
    with pytest.raises(CheckpointError, match="99"):
        app.fork(99)
    with pytest.raises(FlowInputError, match="步"):
        app.update_state({"n": 1}, as_node="不存在")
    with pytest.raises(CheckpointError, match="checkpointer"):
        十步.history()


class 链(TypedDict):
    trail: Annotated[list[str], UpdateStrategy.APPEND]


def _link(name: str) -> object:
    @node(name=name)
    def link(trail: list[str]) -> 链:
        return {"trail": [name]}
    return link


甲, 乙, 丙 = _link("甲"), _link("乙"), _link("丙")


@flow(output=链)
def 三段(trail: Annotated[list[str], UpdateStrategy.APPEND]) -> None:
    START >> 甲 >> 乙 >> 丙  # type: ignore[operator]


def test_breakpoints_pause_before_and_after_nodes_and_resume_goes_past() -> None:
    app = 三段.with_options(thread_id="断点", checkpointer="memory://",
                           interrupt_before=("乙",), interrupt_after=("乙",))
    r = app.run(trail=[])
    assert r.status == "interrupted" and [i.id for i in r.interrupts] == ["乙@before@2"]
    assert r.final_state["trail"] == ["甲"]
    r = app.resume()
    assert [i.id for i in r.interrupts] == ["乙@after@3"] and r.final_state["trail"] == ["甲", "乙"]
    r = app.resume()
    assert r.status == "completed" and r.output == {"trail": ["甲", "乙", "丙"]}


def test_breakpoint_names_are_checked_and_need_a_checkpointer() -> None:
    from liteflow import FlowDefinitionError

    with pytest.raises(FlowDefinitionError, match="乙"):
        三段.with_options(interrupt_before=("乙x",))
    with pytest.raises(CheckpointError, match="checkpointer"):
        三段.with_options(interrupt_before=("乙",)).run(trail=[])
