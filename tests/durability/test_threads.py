"""Threads, turns and resume on a real SQLite file (and `memory://`): SPEC §5.1."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from liteflow import (
    START,
    FlowDefinitionError,
    NodeError,
    SuperStepEvent,
    UpdateStrategy,
    Workflow,
    each,
    flow,
    node,
)
from liteflow.checkpoint import MemoryCheckpointer, Serde, SqliteCheckpointer, Unrestorable
from liteflow.core.context import Context
from liteflow.core.errors import (
    CheckpointEncodeError,
    CheckpointError,
    CheckpointMismatchError,
    FlowVersionMismatchError,
    ThreadNotFinishedError,
)


class 对话(TypedDict):
    messages: Annotated[list[str], UpdateStrategy.APPEND]


class 回复(TypedDict):
    messages: Annotated[list[str], UpdateStrategy.APPEND]
    turns: int


@node
def 助手(messages: list[str], turns: int = 0) -> 回复:
    return {"messages": [f"助手：收到「{messages[-1]}」"], "turns": turns + 1}


@flow(output=回复)
def 聊天(messages: Annotated[list[str], UpdateStrategy.APPEND]) -> None:
    START >> 助手


def test_a_thread_continues_turn_by_turn_like_a_chat(tmp_path: Path) -> None:
    db = tmp_path / "对话.db"
    app = 聊天.with_options(thread_id="用户-42", checkpointer=f"sqlite:///{db}")
    first = app.run(messages=["你好"])
    assert first.output["messages"] == ["你好", "助手：收到「你好」"]
    # Another process, the same file: the thread goes on where it was.
    again = 聊天.with_options(thread_id="用户-42", checkpointer=SqliteCheckpointer(db))
    second = again.run(messages=["再见"])
    assert second.output == {
        "messages": ["你好", "助手：收到「你好」", "再见", "助手：收到「再见」"], "turns": 2}
    assert second.supersteps == 1
    other = again.with_options(thread_id="用户-43").run(messages=["新的"])
    assert other.output["turns"] == 1
    (thread,) = [t for t in SqliteCheckpointer(db).threads() if t.thread_id == "用户-42"]
    assert (thread.flow, thread.status) == ("聊天", "completed")


class 计数(TypedDict):
    n: int
    log: Annotated[list[int], UpdateStrategy.APPEND]


calls: list[int] = []
broken = {"at": 3}


@node
def 计步(n: int) -> 计数:
    calls.append(n)
    if n == broken["at"]:
        raise RuntimeError("模拟故障")
    return {"n": n + 1, "log": [n]}


@flow(output=计数)
def 计数流程(n: int) -> None:
    START >> 计步
    计步 >> 计步.when(lambda out: out["n"] < 6)


def test_a_failed_run_resumes_from_its_last_committed_superstep(tmp_path: Path) -> None:
    calls.clear()
    app = 计数流程.with_options(thread_id="t", checkpointer=f"sqlite:///{tmp_path}/c.db")
    with pytest.raises(NodeError):
        app.run(n=0)
    with pytest.raises(ThreadNotFinishedError, match="resume"):
        app.run(n=0)
    broken["at"] = -1  # the bug is fixed (data only: the code is the same)
    try:
        result = app.resume()
    finally:
        broken["at"] = 3
    assert result.output == {"n": 6, "log": [0, 1, 2, 3, 4, 5]}
    assert calls == [0, 1, 2, 3, 3, 4, 5]  # only the failed call ran again
    assert result.supersteps == 3
    # A completed thread has nothing left to resume.
    assert app.resume().output == result.output


def test_resume_without_a_checkpointer_or_thread_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="checkpointer"):
        计数流程.resume()
    with pytest.raises(CheckpointError, match="thread_id"):
        计数流程.with_options(checkpointer="memory://").run(n=0)
    with pytest.raises(CheckpointError, match="run"):
        计数流程.with_options(checkpointer="memory://", thread_id="新").resume()


@pytest.mark.parametrize("url", ["redis://localhost/0", "sqlite://relative.db",
                                 "sqlite:////no/such/dir/x.db", "nonsense"])
def test_unusable_checkpointer_urls_fail_at_with_options_naming_the_url(url: str) -> None:
    with pytest.raises(CheckpointError) as err:
        计数流程.with_options(checkpointer=url)
    assert url.split("://")[-1].split("/")[0] in str(err.value) or url in str(err.value)


def test_a_password_in_the_url_is_never_shown() -> None:
    with pytest.raises(CheckpointError) as err:
        计数流程.with_options(checkpointer="redis://用户:秘密@host/0")
    assert "秘密" not in str(err.value)


def test_something_that_is_not_a_checkpointer_is_refused() -> None:
    with pytest.raises(CheckpointError, match="Checkpointer"):
        计数流程.with_options(checkpointer=42)


class 出(TypedDict):
    n: int


class 多(TypedDict):
    n: int
    m: int


def _versioned(version: str | None, variant: str = "plus") -> Any:
    """The "same" flow as it changes over time: another version, another shape (a new
    output key), or only other code."""
    if variant == "extra":
        @node(name="计步")
        def 多出(n: int) -> 多:
            return {"n": n + 1, "m": 0}
        body: Any = 多出
    elif variant == "times":
        @node(name="计步")
        def 翻倍(n: int) -> 出:
            return {"n": n * 2}
        body = 翻倍
    else:
        @node(name="计步")
        def 加一(n: int) -> 出:
            return {"n": n + 1}
        body = 加一

    @flow(name="版本流程", output=出, version=version)
    def 版本流程(n: int) -> None:
        START >> body

    return 版本流程


def test_resuming_under_a_changed_flow_fails_before_running_anything(tmp_path: Path) -> None:
    store = SqliteCheckpointer(tmp_path / "v.db")
    v1 = _versioned("1").with_options(thread_id="线", checkpointer=store)
    v1.run(n=0)
    store.set_status("线", "failed")  # as if its last run had crashed
    with pytest.raises(FlowVersionMismatchError) as version:
        _versioned("2").with_options(thread_id="线", checkpointer=store).resume()
    assert "1" in str(version.value) and "2" in str(version.value)
    with pytest.raises(CheckpointMismatchError) as shape:
        _versioned("1", "extra").with_options(thread_id="线", checkpointer=store).resume()
    assert any("m" in item for item in shape.value.added)
    changed = _versioned("1", "times").with_options(thread_id="线", checkpointer=store)
    with pytest.raises(CheckpointMismatchError, match="allow_code_change"):
        changed.resume()
    head = store.load("线").step
    assert changed.resume(allow_code_change=True).status == "completed"
    assert store.load("线").step == head  # nothing was left to run, nothing was written
    with pytest.raises(CheckpointMismatchError, match="allow_code_change"):
        _versioned("1").with_options(thread_id="线", checkpointer=store).resume()


class 坏(TypedDict):
    n: int
    blob: Any


@node
def 写坏(n: int) -> 坏:
    return {"n": n + 1, "blob": {"items": [1, 2, 3, {"meta": object()}]}}


@flow(output=坏)
def 坏流程(n: int) -> None:
    START >> 写坏


def test_a_value_that_cannot_be_stored_fails_the_superstep_naming_node_key_and_path() -> None:
    store = MemoryCheckpointer()
    app = 坏流程.with_options(thread_id="坏", checkpointer=store)
    with pytest.raises(CheckpointEncodeError) as err:
        app.run(n=1)
    assert (err.value.node, err.value.key) == ("写坏", "blob")
    assert err.value.path == "$.items[3].meta"
    loaded = store.load("坏")
    assert loaded.step == 0 and loaded.values == {"n": 1}  # nothing of the step applied


@dataclasses.dataclass
class 票据:
    号: int
    备注: str


class 票出(TypedDict):
    tickets: Annotated[list[票据], UpdateStrategy.APPEND]
    keys: Annotated[list[str], UpdateStrategy.APPEND]


@node
async def 开票(x: int, ctx: Context) -> 票出:
    await asyncio.sleep(0.001)
    return {"tickets": [票据(x, f"第{x}张")], "keys": [ctx.idempotency_key]}


class 源出(TypedDict):
    xs: list[int]


@node
def 源(k: int) -> 源出:
    return {"xs": list(range(k))}


@flow(output=票出)
def 开票流程(k: int) -> None:
    START >> 源
    源 >> each("xs", 开票, item="x")


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_each_and_declared_classes_round_trip_in_every_durability_mode(
        tmp_path: Path, durability: str) -> None:
    app = 开票流程.with_options(thread_id="票", checkpointer=f"sqlite:///{tmp_path}/p.db",
                               durability=durability)  # type: ignore[arg-type]
    result = app.run(k=4)
    loaded = SqliteCheckpointer(tmp_path / "p.db", serde=Serde(allow=[票据])).load("票")
    assert loaded.values == result.final_state.to_dict()
    assert loaded.values["tickets"][2] == 票据(2, "第2张")
    # A reader that does not know the class gets inert values, never an import.
    blind = SqliteCheckpointer(tmp_path / "p.db").load("票").values["tickets"][0]
    assert isinstance(blind, Unrestorable) and blind.fields == {"号": 0, "备注": "第0张"}
    assert sorted(loaded.values["keys"]) == [f"票/main/2/开票/{i}" for i in range(4)]


def test_streaming_and_async_runs_checkpoint_too(tmp_path: Path) -> None:
    store = SqliteCheckpointer(tmp_path / "s.db")
    app = 计数流程.with_options(thread_id="流", checkpointer=store)
    broken["at"] = -1
    try:
        steps = [e for e in app.stream(n=0) if isinstance(e, SuperStepEvent)]
        assert len(steps) == 6 and store.load("流").step == 6
        result = asyncio.run(app.with_options(thread_id="异步").arun(n=2))
    finally:
        broken["at"] = 3
    assert result.output["log"] == [2, 3, 4, 5]
    assert store.load("异步").values == result.final_state.to_dict()


def test_builder_workflows_and_subflows_checkpoint_with_their_parent(tmp_path: Path) -> None:
    wf = Workflow("建造", {"data": "  原始  "})
    wf.add_node("清洗", lambda s: {"clean": s["data"].strip()})
    wf.add_node("分析", lambda s: {"result": f"分析:{s['clean']}"})
    wf.chain("清洗", "分析")
    db = tmp_path / "b.db"
    result = wf.with_options(thread_id="建", checkpointer=f"sqlite:///{db}").run()
    assert SqliteCheckpointer(db).load("建").values == result.final_state.to_dict()

    @flow(output=回复)
    def 外层(messages: list[str]) -> None:
        START >> 聊天

    outer = 外层.with_options(thread_id="外", checkpointer=f"sqlite:///{db}")
    done = outer.run(messages=["嵌套"])
    assert SqliteCheckpointer(db).load("外").values["turns"] == done.output["turns"] == 1


def test_bad_durability_is_refused_at_with_options() -> None:
    with pytest.raises(FlowDefinitionError, match="durability"):
        计数流程.with_options(durability="sometimes")  # type: ignore[arg-type]


@node
async def 慢票(x: int) -> 票出:
    if x == 2 and not 慢票_seen:
        慢票_seen.append(x)
        raise RuntimeError("第一次失败")
    return {"tickets": [票据(x, "重来")], "keys": []}


慢票_seen: list[int] = []


@flow(output=票出)
def 慢票流程(k: int) -> None:
    START >> 源
    源 >> each("xs", 慢票, item="x")


def test_resumed_nodes_get_the_declared_classes_back_not_inert_values(tmp_path: Path) -> None:
    app = 慢票流程.with_options(thread_id="慢", checkpointer=f"sqlite:///{tmp_path}/q.db")
    with pytest.raises(NodeError):
        app.run(k=4)
    result = app.resume()
    assert result.output["tickets"] == [票据(i, "重来") for i in range(4)]
    assert all(type(t) is 票据 for t in result.final_state["tickets"])
