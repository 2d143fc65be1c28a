"""Human in the loop (SPEC §5.2): a question pauses the run, the answer continues it, and
nothing else runs twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from liteflow import START, Context, InterruptNotSupportedError, UpdateStrategy, each, flow, node
from liteflow.checkpoint import MemoryCheckpointer, SqliteCheckpointer
from liteflow.core.errors import AmbiguousResumeError, CheckpointError, ResumeValueError

calls: list[str] = []


class 审批(TypedDict):
    approved: bool
    comment: str


class 草稿(TypedDict):
    draft: str


class 旁(TypedDict):
    side: str


class 慢旁(TypedDict):
    slow: str


@node
def 写(topic: str) -> 草稿:
    calls.append("写")
    return {"draft": f"关于{topic}的初稿"}


@node(retry_count=3, retry_delay=0.0, fallback=lambda draft, error: {"approved": False,
                                                                        "comment": "兜底"})
def 人工审批(draft: str, ctx: Context) -> 审批:
    calls.append("审批")
    try:
        return ctx.interrupt({"请审阅": draft}, expect=审批)  # type: ignore[no-any-return]
    except Exception:  # a user's broad handler must not swallow the pause
        calls.append("吞掉了")
        raise


@node
def 旁路(draft: str) -> 旁:
    calls.append("旁路")
    return {"side": draft[:2]}


@node
async def 慢旁路(draft: str) -> 慢旁:
    await asyncio.sleep(0.01)
    calls.append("慢旁路")
    return {"slow": "好"}


class 终(TypedDict):
    approved: bool
    comment: str
    side: str
    slow: str


@flow(output=终)
def 审稿(topic: str) -> None:
    START >> 写 >> [人工审批, 旁路, 慢旁路]


def _app(store: Any = None, thread: str = "稿件-42") -> Any:
    return 审稿.with_options(thread_id=thread, checkpointer=store or MemoryCheckpointer())


def test_a_question_pauses_the_run_and_the_answer_continues_it() -> None:
    calls.clear()
    app = _app()
    paused = app.run(topic="机器学习")
    assert paused.status == "interrupted"
    assert paused.interrupt == {"请审阅": "关于机器学习的初稿"}
    (asked,) = paused.interrupts
    assert (asked.id, asked.node, asked.superstep) == ("人工审批#0@2", "人工审批", 2)
    # The pause is no failure: not retried, no fallback, not swallowed by `except Exception`.
    assert calls.count("审批") == 1 and "吞掉了" not in calls
    assert app.state().interrupts == paused.interrupts
    done = app.resume({"approved": True, "comment": "好"})
    assert done.status == "completed"
    assert done.output == {"approved": True, "comment": "好", "side": "关于", "slow": "好"}
    # Only the node that asked ran again; its siblings' outputs were kept.
    assert sorted(calls) == sorted(["写", "审批", "旁路", "慢旁路", "审批"])
    assert calls[-1] == "审批"


def test_async_twins_pause_and_resume_the_same_way() -> None:
    app = _app(thread="异步")

    async def go() -> Any:
        paused = await app.arun(topic="异步")
        assert paused.status == "interrupted"
        return await app.aresume({"approved": False, "comment": "再改改"})

    assert asyncio.run(go()).output["comment"] == "再改改"


def test_a_wrong_answer_is_refused_by_resume_and_nothing_is_stored() -> None:
    app = _app(thread="错")
    app.run(topic="x")
    before = app.history()
    with pytest.raises(ResumeValueError) as err:
        app.resume({"approved": "是的", "comment": "好"})
    assert "人工审批#0@2" in str(err.value) and "审批" in str(err.value)
    assert app.history() == before
    assert [i.id for i in app.state().interrupts] == ["人工审批#0@2"]
    assert app.resume({"approved": True, "comment": "好"}).status == "completed"


def test_resume_misuse_is_explained() -> None:
    app = _app(thread="误用")
    app.run(topic="x")
    with pytest.raises(CheckpointError, match="人工审批#0@2"):
        app.resume({"别的#0@2": {"approved": True, "comment": ""}})
    app.resume({"approved": True, "comment": ""})
    with pytest.raises(CheckpointError, match="resume"):
        app.resume({"approved": True, "comment": ""})  # nothing is waiting any more


class 问答(TypedDict):
    first: str
    second: str


@node
def 两问(ctx: Context) -> 问答:
    calls.append("两问")
    first = ctx.interrupt("第一个问题？")
    second = ctx.interrupt(f"第二个问题（第一个答了 {first}）？")
    return {"first": first, "second": second}


@flow(output=问答)
def 两问流程() -> None:
    START >> 两问


def test_two_questions_in_one_node_are_asked_in_turn_each_answer_used_once() -> None:
    calls.clear()
    app = 两问流程.with_options(thread_id="两问", checkpointer="memory://")
    r = app.run()
    assert [i.id for i in r.interrupts] == ["两问#0@1"] and r.interrupt == "第一个问题？"
    r = app.resume("甲")
    assert [i.id for i in r.interrupts] == ["两问#1@1"]
    assert r.interrupt == "第二个问题（第一个答了 甲）？"
    r = app.resume("乙")
    assert r.output == {"first": "甲", "second": "乙"} and calls == ["两问"] * 3


class 票(TypedDict):
    votes: Annotated[list[str], UpdateStrategy.APPEND]


@node
def 投票(who: str, ctx: Context) -> 票:
    return {"votes": [f"{who}:{ctx.interrupt(f'{who} 同意吗？')}"]}


class 人们(TypedDict):
    people: list[str]


@node
def 名单(n: int) -> 人们:
    return {"people": ["张三", "李四", "王五"][:n]}


@flow(output=票)
def 投票流程(n: int) -> None:
    START >> 名单
    名单 >> each("people", 投票, item="who")


def test_several_questions_at_once_need_answers_by_id() -> None:
    app = 投票流程.with_options(thread_id="投票", checkpointer="memory://")
    r = app.run(n=3)
    ids = [i.id for i in r.interrupts]
    assert ids == ["投票[0]#0@2", "投票[1]#0@2", "投票[2]#0@2"]
    with pytest.raises(AmbiguousResumeError) as err:
        app.resume("同意")
    assert err.value.ids == tuple(ids)
    r = app.resume({ids[0]: "同意", ids[2]: "反对"})
    assert r.status == "interrupted" and [i.id for i in r.interrupts] == [ids[1]]
    r = app.resume("弃权")
    assert r.output == {"votes": ["张三:同意", "李四:弃权", "王五:反对"]}


def test_interrupt_without_a_checkpointer_says_one_is_needed() -> None:
    with pytest.raises(Exception) as err:
        两问流程.run()
    assert isinstance(err.value, InterruptNotSupportedError) or isinstance(
        err.value.__cause__, InterruptNotSupportedError) or "checkpointer" in str(err.value)
    assert "checkpointer" in str(err.value)


CHILD = """
import os, sys
from durability.test_interrupts import 审稿
from liteflow.checkpoint import SqliteCheckpointer
app = 审稿.with_options(thread_id="崩溃", checkpointer=SqliteCheckpointer(sys.argv[1]))
if sys.argv[2] == "ask":
    print(app.run(topic="崩").status)
elif sys.argv[2] == "answer":
    app.resume({"approved": True, "comment": "存下了"})
else:
    print(app.resume().output["comment"])
"""


def test_an_answer_stored_before_a_crash_is_used_and_nobody_is_asked_twice(
        tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    def child(mode: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", CHILD, db, mode], capture_output=True,
                              text=True, timeout=60, env={**env, **extra})

    assert child("ask").stdout.strip() == "interrupted"
    killed = child("answer", LITEFLOW_TEST_CRASH="2:after_answer")
    assert killed.returncode == -9, killed.stderr
    resumed = child("continue")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == "存下了"
    assert SqliteCheckpointer(db).load("崩溃").status == "completed"


class 内出(TypedDict):
    verdict: str


@node
def 内审(draft: str, ctx: Context) -> 内出:
    return {"verdict": str(ctx.interrupt(f"内层：{draft}？"))}


@flow(output=内出)
def 内层(draft: str) -> None:
    START >> 内审


class 外出(TypedDict):
    verdict: str
    draft: str


@flow(output=外出)
def 外层(topic: str) -> None:
    START >> 写 >> 内层


def test_a_question_inside_a_subflow_bubbles_up_with_a_namespaced_id() -> None:
    app = 外层.with_options(thread_id="嵌套", checkpointer="memory://")
    r = app.run(topic="嵌套")
    assert r.status == "interrupted"
    assert [i.id for i in r.interrupts] == ["内层/内审#0@2"]
    assert r.interrupt == "内层：关于嵌套的初稿？"
    assert app.resume("通过").output == {"verdict": "通过", "draft": "关于嵌套的初稿"}
