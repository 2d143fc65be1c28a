"""The journal: encoding on the caller's thread, the three durability modes, ordered writes."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import pytest

from liteflow.checkpoint import (
    AskedInterrupt,
    Checkpointer,
    Journal,
    MemoryCheckpointer,
    NodeRun,
    ThreadSpec,
)
from liteflow.core.errors import CheckpointEncodeError, CheckpointError, ThreadConflictError

NAMES = ("起草", "审阅", "发布")


def make_spec(thread_id: str, run_id: str = "run") -> ThreadSpec:
    return ThreadSpec(thread_id, "写作流程", None, "fp", "shape", run_id)


class Recording:
    """A store that records the order of writes and can hold a step's commit."""

    def __init__(self, inner: Checkpointer) -> None:
        self.inner = inner
        self.serde = inner.serde
        self.calls: list[tuple[str, int]] = []
        self.hold: dict[int, threading.Event] = {}
        self.fail_pending = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def put_step(self, rec: Any, *, expect_head: int, **create: Any) -> None:
        gate = self.hold.get(rec.step)
        if gate is not None:
            assert gate.wait(10)
        self.inner.put_step(rec, expect_head=expect_head, **create)
        self.calls.append(("step", rec.step))

    def put_pending(self, rec: Any) -> None:
        if self.fail_pending:
            raise OSError("disk full")
        self.inner.put_pending(rec)
        self.calls.append(("pending", rec.step))


def run(journal: Journal, steps: int, *, start: int = 1) -> None:
    if start == 1:
        journal.step(0, "input", {"日志": ("v", [])}, active=[0])
    for k in range(start, start + steps):
        journal.pending(k, 1, 0, {"结果": k})
        journal.step(k, "step", {"日志": ("a", [k])}, active=[0, 1], arrivals={2: {0}},
                     nodes=[NodeRun("起草", 0, 0.001)], values={"日志": list(range(1, k))})


def test_sync_steps_are_committed_when_step_returns(make_store: Any, thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id), node_names=NAMES)
    assert journal.open() is None
    run(journal, 3)
    other = make_store()  # another connection sees it at once
    loaded = other.load(thread_id)
    assert loaded.values == {"日志": [1, 2, 3]} and loaded.step == 3
    assert other.history(thread_id)[-1].next_nodes == ("起草", "审阅")
    journal.pending(4, 2, 1, {"结果": "未提交"})
    journal.flush()
    assert other.load(thread_id).pending == {(2, 1): {"结果": "未提交"}}
    journal.finish("completed")
    head = other.begin(make_spec(thread_id))
    assert head is not None and head.status == "completed"
    journal.close()


def test_open_resumes_where_the_thread_stands(make_store: Any, thread_id: str) -> None:
    store = make_store()
    first = Journal(store, make_spec(thread_id, "run-1"))
    first.open()
    run(first, 2)
    first.close()
    second = Journal(store, make_spec(thread_id, "run-2"))
    loaded = second.open()
    assert loaded is not None and loaded.values == {"日志": [1, 2]} and second.head == 2
    run(second, 2, start=3)
    assert store.load(thread_id).values == {"日志": [1, 2, 3, 4]}
    stale = Journal(store, make_spec(thread_id, "run-3"))
    stale.branch, stale.head = "main", 2  # a runner that loaded before run-2 went on
    with pytest.raises(ThreadConflictError):
        stale.step(3, "step", {"日志": ("a", ["重复"])}, active=[0])
    assert store.load(thread_id).values == {"日志": [1, 2, 3, 4]}


def test_async_is_at_most_one_step_behind() -> None:
    store = Recording(MemoryCheckpointer())
    journal = Journal(store, make_spec("异步"), durability="async")  # type: ignore[arg-type]
    journal.open()
    journal.step(0, "input", {"n": ("v", 0)}, active=[0])
    store.hold[1] = threading.Event()
    journal.step(1, "step", {"n": ("v", 1)}, active=[0])  # returns while 1 is held
    assert ("step", 1) not in store.calls
    done = threading.Event()

    def second() -> None:
        journal.step(2, "step", {"n": ("v", 2)}, active=[0])
        done.set()

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.1)
    assert not done.is_set()  # step 2 waits for step 1's commit
    store.hold[1].set()
    assert done.wait(5)
    t.join()
    journal.flush()
    assert store.inner.load("异步").values == {"n": 2}
    assert [c for c in store.calls if c[0] == "step"] == [("step", 0), ("step", 1), ("step", 2)]


def test_values_are_encoded_before_step_returns() -> None:
    store = MemoryCheckpointer()
    journal = Journal(store, make_spec("别名"), durability="async")
    journal.open()
    items = ["原样"]
    journal.step(0, "input", {"列表": ("v", items)}, active=[0])
    items.append("之后被用户代码修改")  # must not reach the checkpoint
    journal.flush()
    assert store.load("别名").values == {"列表": ["原样"]}


def test_pending_writes_never_land_after_their_step() -> None:
    store = Recording(MemoryCheckpointer())
    journal = Journal(store, make_spec("顺序"), durability="async")  # type: ignore[arg-type]
    journal.open()
    run(journal, 20)
    journal.flush()
    order = store.calls
    for k in range(1, 21):
        assert order.index(("pending", k)) < order.index(("step", k))
    assert store.inner.load("顺序").pending == {}


def test_exit_writes_the_inputs_at_once_and_the_rest_at_flush() -> None:
    store = Recording(MemoryCheckpointer())
    journal = Journal(store, make_spec("退出"), durability="exit")  # type: ignore[arg-type]
    journal.open()
    run(journal, 3)
    journal.pending(4, 1, 0, {"结果": "最后"})
    assert store.calls == [("step", 0)]
    assert store.inner.load("退出").values == {"日志": []}
    journal.flush()
    # Pending rows of steps committed in the same flush are skipped: the commit drops them.
    assert store.calls == [("step", 0), ("step", 1), ("step", 2), ("step", 3), ("pending", 4)]
    loaded = store.inner.load("退出")
    assert loaded.values == {"日志": [1, 2, 3]} and loaded.pending == {(1, 0): {"结果": "最后"}}


def test_a_writer_error_surfaces_on_the_next_call_and_on_flush() -> None:
    store = Recording(MemoryCheckpointer())
    journal = Journal(store, make_spec("失败"), durability="async")  # type: ignore[arg-type]
    journal.open()
    journal.step(0, "input", {"n": ("v", 0)}, active=[0])
    store.fail_pending = True
    journal.pending(1, 0, 0, {"n": 1})
    with pytest.raises(CheckpointError) as info:
        journal.flush()
    assert "失败" in str(info.value) and "disk full" in str(info.value)
    with pytest.raises(CheckpointError):
        journal.step(1, "step", {"n": ("v", 1)}, active=[0])
    assert store.inner.load("失败").step == 0


def test_an_unencodable_write_fails_the_step_and_writes_nothing(make_store: Any,
                                                               thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id), node_names=NAMES)
    journal.open()
    journal.step(0, "input", {"草稿": ("v", "")}, active=[0])
    with pytest.raises(CheckpointEncodeError) as info:
        journal.step(1, "step", {"好": ("v", 1), "草稿": ("v", {"items": [threading.Lock()]})},
                     active=[0], writers={"草稿": "起草"})
    err = info.value
    assert (err.node, err.key, err.path, err.flow) == ("起草", "草稿", "$.items[0]", "写作流程")
    assert store.load(thread_id).step == 0
    journal.step(1, "step", {"草稿": ("v", "第1稿")}, active=[0])  # still usable
    assert store.load(thread_id).values == {"草稿": "第1稿"}


def test_interrupts_and_answers_through_the_journal(make_store: Any, thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id), node_names=NAMES, durability="async")
    journal.open()
    journal.step(0, "input", {"草稿": ("v", "稿")}, active=[1])
    journal.pending(1, 0, 0, {"其他": "已完成"})
    journal.interrupts(1, [AskedInterrupt(1, 0, 0, "审阅[0]#0@1", {"请审阅": "稿"})])
    loaded = store.load(thread_id)  # durable once interrupts() returned
    assert loaded.status == "interrupted" and loaded.pending == {(0, 0): {"其他": "已完成"}}
    assert [i.payload for i in loaded.interrupts] == [{"请审阅": "稿"}]
    journal.answers({"审阅[0]#0@1": {"approved": True, "comment": "好"}})
    (asked,) = store.load(thread_id).interrupts
    assert asked.answered and asked.answer == {"approved": True, "comment": "好"}
    with pytest.raises(CheckpointError):
        journal.answers({"没有#0@1": 1})


def test_fork_through_the_journal(make_store: Any, thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id))
    journal.open()
    run(journal, 4)
    assert journal.fork(2) == "b1" and (journal.branch, journal.head) == ("b1", 2)
    journal.step(3, "update", {"日志": ("a", ["改"])}, active=[0])
    assert store.load(thread_id).values == {"日志": [1, 2, "改"]}
    assert store.load(thread_id, branch="main").values == {"日志": [1, 2, 3, 4]}


def test_astep_does_not_block_the_event_loop() -> None:
    store = MemoryCheckpointer()
    journal = Journal(store, make_spec("协程"))
    journal.open()

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        for k in range(20):
            await journal.astep(k, "step" if k else "input", {"n": ("v", k)}, active=[0])
        task.cancel()
        return ticks

    assert asyncio.run(main()) > 0
    assert store.load("协程").values == {"n": 19}


def test_bad_durability_is_a_clear_error() -> None:
    with pytest.raises(CheckpointError) as info:
        Journal(MemoryCheckpointer(), make_spec(uuid.uuid4().hex), durability="later")
    assert "later" in str(info.value)


def test_a_thread_left_without_steps_is_taken_over_by_its_next_run(make_store: Any,
                                                                    thread_id: str) -> None:
    store = make_store()
    # What a process killed between creating a thread and its step 0 left (older versions
    # created the thread first): a thread whose head is -1, under the old run's spec.
    assert store.begin(ThreadSpec(thread_id, "旧流程", "v0", "旧", "旧形", "run-0")) is None
    journal = Journal(store, make_spec(thread_id, "run-1"))
    assert journal.open() is None
    journal.step(0, "input", {"日志": ("v", [])}, active=[0])
    head = store.head(thread_id)
    assert head is not None and (head.step, head.flow, head.fingerprint, head.run_id) == (
        0, "写作流程", "fp", "run-1")
    assert [t.thread_id for t in store.threads()].count(thread_id) == 1


def test_a_new_thread_exists_only_once_its_step_0_is_committed(make_store: Any,
                                                              thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id))
    assert journal.open() is None
    assert store.head(thread_id) is None  # opening reads only
    with pytest.raises(CheckpointEncodeError):
        journal.step(0, "input", {"坏": ("v", object())}, active=[0])
    assert store.head(thread_id) is None
    journal = Journal(store, make_spec(thread_id))
    journal.open()
    journal.step(0, "input", {"日志": ("v", [])}, active=[0])
    head = store.head(thread_id)
    assert head is not None and head.step == 0 and head.status == "running"


def test_steps_after_a_status_change_or_pending_rows_set_running_and_clear_them(
        make_store: Any, thread_id: str) -> None:
    store = make_store()
    journal = Journal(store, make_spec(thread_id))
    journal.open()
    run(journal, 2)  # steps 0..2, each after a pending row of its own
    assert store.load(thread_id).pending == {}
    store.set_status(thread_id, "interrupted")
    journal.step(3, "step", {"日志": ("a", [3])}, active=[0], values={"日志": [1, 2]})
    head = store.head(thread_id)
    assert head is not None and head.status == "running"
    journal.step(4, "step", {"日志": ("a", [4])}, active=[0], values={"日志": [1, 2, 3]})
    journal.pending(5, 1, 0, {"结果": "旧"})
    journal.step(5, "step", {"日志": ("a", [5])}, active=[0], values={"日志": [1, 2, 3, 4]})
    loaded = store.load(thread_id)
    assert loaded.values == {"日志": [1, 2, 3, 4, 5]} and loaded.pending == {}
    with store._read() as conn:  # no pending row left behind (none is ever read again)
        left = store._x(conn, "SELECT COUNT(*) FROM lf_pending WHERE thread_id = ?",
                        (thread_id,)).fetchone()[0]
    assert left == 0
