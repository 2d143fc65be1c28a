"""One suite for every store (memory, SQLite, PostgreSQL): the `Checkpointer` protocol."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from liteflow.checkpoint import (
    Checkpointer,
    InterruptRecord,
    NodeRun,
    PendingRecord,
    Serde,
    StepRecord,
    ThreadSpec,
    encode_ops,
)
from liteflow.core.errors import CheckpointError, ThreadConflictError

SERDE = Serde()


def spec(thread_id: str, run_id: str = "run-1", fingerprint: str = "fp-1") -> ThreadSpec:
    return ThreadSpec(thread_id, "写作流程", "1", fingerprint, "shape-1", run_id)


def record(thread_id: str, step: int, ops: dict[str, tuple[str, Any]], *,
           branch: str = "main", active: tuple[int, ...] = (0,), run_id: str = "run-1",
           kind: str = "step", snapshot: dict[str, Any] | None = None) -> StepRecord:
    writes, _ = encode_ops(SERDE, ops)
    snap = None if snapshot is None else SERDE.encode(snapshot)
    return StepRecord(thread_id=thread_id, branch=branch, step=step,
                      kind=kind,  # type: ignore[arg-type]
                      run_id=run_id, writes=writes, active=active, arrivals={2: (0, 1)},
                      snapshot=snap, nodes=(NodeRun("起草", 0, 0.01, 1),),
                      written_keys=tuple(ops), next_nodes=tuple(f"n{i}" for i in active),
                      created_at=time.time())


def run_steps(store: Checkpointer, thread_id: str, n: int) -> None:
    """Step 0 (inputs) then steps 1..n, each appending its number to `日志`."""
    assert store.begin(spec(thread_id)) is None
    store.put_step(record(thread_id, 0, {"日志": ("v", []), "主题": ("v", "机器学习")},
                          kind="input"), expect_head=-1)
    for k in range(1, n + 1):
        store.put_step(record(thread_id, k, {"日志": ("a", [k]), "草稿": ("v", f"第{k}稿")}),
                       expect_head=k - 1)


def test_a_new_thread_begins_empty_and_an_existing_one_returns_its_head(
        store: Checkpointer, thread_id: str) -> None:
    assert store.begin(spec(thread_id)) is None
    head = store.begin(spec(thread_id, run_id="run-2", fingerprint="other"))
    assert head is not None
    assert (head.flow, head.flow_version, head.fingerprint, head.shape) == (
        "写作流程", "1", "fp-1", "shape-1")
    assert (head.branch, head.step, head.status, head.run_id) == ("main", -1, "running", "run-1")
    adopted = store.begin(spec(thread_id, fingerprint="fp-2"), adopt=True)
    assert adopted is not None and adopted.fingerprint == "fp-2"
    assert store.head(thread_id) == adopted
    assert store.head(thread_id + "-没有") is None


def test_load_folds_the_deltas_of_every_step(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 5)
    loaded = store.load(thread_id)
    assert loaded.values == {"日志": [1, 2, 3, 4, 5], "主题": "机器学习", "草稿": "第5稿"}
    assert (loaded.step, loaded.branch, loaded.kind) == (5, "main", "step")
    assert loaded.active == (0,) and loaded.arrivals == {2: (0, 1)}
    assert loaded.checkpoint_id == "main:5"
    assert store.load(thread_id, step=2).values["日志"] == [1, 2]
    assert store.load(thread_id, step=0).kind == "input"


def test_a_snapshot_is_where_replay_starts(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 2)
    # The snapshot holds the state before the row's writes; earlier rows are not needed.
    store.put_step(record(thread_id, 3, {"日志": ("a", [3])},
                          snapshot={"日志": ["从快照"], "主题": "快照"}), expect_head=2)
    store.put_step(record(thread_id, 4, {"日志": ("a", [4])}), expect_head=3)
    assert store.load(thread_id).values == {"日志": ["从快照", 3, 4], "主题": "快照"}
    assert store.load(thread_id, step=2).values["日志"] == [1, 2]


def test_put_step_compares_and_sets_the_head(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 2)
    with pytest.raises(ThreadConflictError) as info:
        store.put_step(record(thread_id, 3, {"草稿": ("v", "别人的")}, run_id="other"),
                       expect_head=1)
    assert info.value.thread == thread_id and thread_id in str(info.value)
    with pytest.raises(ThreadConflictError):  # the step exists already
        store.put_step(record(thread_id, 2, {"草稿": ("v", "重复")}), expect_head=2)
    loaded = store.load(thread_id)
    assert loaded.step == 2 and loaded.values["草稿"] == "第2稿"
    store.put_step(record(thread_id, 3, {"草稿": ("v", "第3稿")}), expect_head=2)
    assert store.load(thread_id).values["草稿"] == "第3稿"


def test_two_new_runs_of_one_thread_one_wins(store: Checkpointer, thread_id: str) -> None:
    assert store.begin(spec(thread_id, run_id="a")) is None
    assert store.begin(spec(thread_id, run_id="b")) is not None
    store.put_step(record(thread_id, 0, {"x": ("v", "a")}, run_id="a"), expect_head=-1)
    with pytest.raises(ThreadConflictError):
        store.put_step(record(thread_id, 0, {"x": ("v", "b")}, run_id="b"), expect_head=-1)
    assert store.load(thread_id).values == {"x": "a"}


def test_pending_writes_belong_to_the_next_step_and_go_with_its_commit(
        store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 1)
    for node, instance in ((1, 0), (2, 0), (2, 1)):
        store.put_pending(PendingRecord(thread_id, "main", 2, node, instance,
                                        SERDE.encode({"结果": f"{node}/{instance}"}), 0.5))
    store.put_pending(PendingRecord(thread_id, "main", 2, 1, 0,
                                    SERDE.encode({"结果": "重写"}), 0.5))
    loaded = store.load(thread_id)
    assert loaded.pending == {(1, 0): {"结果": "重写"}, (2, 0): {"结果": "2/0"},
                              (2, 1): {"结果": "2/1"}}
    assert store.load(thread_id, step=0).pending == {}
    with pytest.raises(ThreadConflictError):  # a pending row for a step that is not next
        store.put_pending(PendingRecord(thread_id, "main", 5, 1, 0, SERDE.encode({})))
    store.put_step(record(thread_id, 2, {"日志": ("a", [2])}), expect_head=1)
    assert store.load(thread_id).pending == {}


def test_interrupts_and_answers(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 1)
    asked = [InterruptRecord(thread_id, "main", 2, 3, 0, seq, f"审批[0]#{seq}@2",
                             SERDE.encode({"请审阅": f"稿{seq}"})) for seq in (0, 1)]
    store.put_interrupts(asked)
    head = store.begin(spec(thread_id))
    assert head is not None and head.status == "interrupted"
    loaded = store.load(thread_id)
    assert [(i.interrupt_id, i.payload, i.answered) for i in loaded.interrupts] == [
        ("审批[0]#0@2", {"请审阅": "稿0"}, False), ("审批[0]#1@2", {"请审阅": "稿1"}, False)]
    with pytest.raises(CheckpointError) as info:  # all or nothing
        store.put_answers(thread_id, {"审批[0]#0@2": SERDE.encode(True),
                                      "不存在#0@2": SERDE.encode(False)})
    assert "不存在#0@2" in str(info.value) and "审批[0]#1@2" in str(info.value)
    assert not any(i.answered for i in store.load(thread_id).interrupts)
    store.put_answers(thread_id, {"审批[0]#0@2": SERDE.encode({"approved": True})})
    first, second = store.load(thread_id).interrupts
    assert first.answered and first.answer == {"approved": True}
    assert not second.answered and second.answer is None
    info_at_1 = store.history(thread_id)[-1]
    assert info_at_1.step == 1 and info_at_1.interrupts == ("审批[0]#0@2", "审批[0]#1@2")


def test_history_lists_every_checkpoint_oldest_first(store: Checkpointer,
                                                     thread_id: str) -> None:
    run_steps(store, thread_id, 3)
    infos = store.history(thread_id)
    assert [i.checkpoint_id for i in infos] == ["main:0", "main:1", "main:2", "main:3"]
    first = infos[0]
    assert first.kind == "input" and first.written_keys == ("日志", "主题")
    assert infos[1].nodes == ("起草",) and infos[1].next_nodes == ("n0",)
    assert all(i.nbytes > 0 for i in infos)
    assert infos[0].created_at <= infos[-1].created_at and infos[0].created_at.tzinfo
    assert [i.step for i in store.history(thread_id, limit=2)] == [2, 3]
    assert [i.step for i in store.history(thread_id, before=2)] == [0, 1]


def test_forks_make_branches_and_never_overwrite_history(store: Checkpointer,
                                                         thread_id: str) -> None:
    run_steps(store, thread_id, 4)
    assert store.fork(thread_id, at_step=2, note="换个写法") == "b1"
    head = store.begin(spec(thread_id))
    assert head is not None and (head.branch, head.step) == ("b1", 2)
    assert store.load(thread_id).values["日志"] == [1, 2]
    with pytest.raises(ThreadConflictError):  # the old branch no longer holds the head
        store.put_step(record(thread_id, 5, {"日志": ("a", [5])}), expect_head=4)
    store.put_step(record(thread_id, 3, {"日志": ("a", ["分支"])}, branch="b1"), expect_head=2)
    assert store.load(thread_id).values["日志"] == [1, 2, "分支"]
    assert store.load(thread_id, branch="main").values["日志"] == [1, 2, 3, 4]
    # A fork of a fork, at a step its parent branch holds.
    assert store.fork(thread_id, at_step=1, branch="b1") == "b2"
    assert store.load(thread_id).values["日志"] == [1]
    lineage = [i.checkpoint_id for i in store.history(thread_id, branch="b1")]
    assert lineage == ["main:0", "main:1", "main:2", "b1:2", "b1:3"]
    everything = [i.checkpoint_id for i in store.history(thread_id)]
    assert everything[:5] == ["main:0", "main:1", "main:2", "main:3", "main:4"]
    assert set(everything[5:]) == {"b1:2", "b1:3", "b2:1"}
    assert [t.branches for t in store.threads() if t.thread_id == thread_id] == [
        ("main", "b1", "b2")]
    with pytest.raises(CheckpointError):
        store.fork(thread_id, at_step=9, branch="main")
    with pytest.raises(CheckpointError) as info:
        store.load(thread_id, branch="b9")
    assert "b9" in str(info.value) and "b1" in str(info.value)


def test_threads_filter_and_delete(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 2)
    other = thread_id + "-二"
    run_steps(store, other, 1)
    store.set_status(other, "completed")
    mine = {t.thread_id: t for t in store.threads(flow="写作流程", limit=1000)}
    assert mine[thread_id].status == "running" and mine[thread_id].step == 2
    assert mine[thread_id].nbytes > 0 and mine[thread_id].flow == "写作流程"
    done = {t.thread_id for t in store.threads(status="completed", limit=1000)}
    assert other in done and thread_id not in done
    assert store.threads(flow="没有这个流程") == []
    with pytest.raises(CheckpointError):
        store.set_status(other, "done")
    store.delete_thread(other)
    assert other not in {t.thread_id for t in store.threads(limit=1000)}
    with pytest.raises(CheckpointError) as info:
        store.load(other)
    assert other in str(info.value)
    store.delete_thread(other)  # deleting twice is fine


def test_values_that_stores_must_keep_byte_exact(store: Checkpointer, thread_id: str) -> None:
    values = {"空字符": "a\x00b", "大整数": 2**80, 7: "整数键", "字节": b"\x00\xff",
              "元组": (1, "二"), "集合": {1, 2}}
    assert store.begin(spec(thread_id)) is None
    store.put_step(record(thread_id, 0, {k: ("v", v) for k, v in values.items()}),  # type: ignore[misc]
                   expect_head=-1)
    assert store.load(thread_id).values == values


def test_a_store_is_usable_from_several_threads(store: Checkpointer, thread_id: str) -> None:
    run_steps(store, thread_id, 1)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(20):
                assert store.load(thread_id).values["日志"][:1] == [1]
                store.history(thread_id)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for k in range(2, 22):
        store.put_step(record(thread_id, k, {"日志": ("a", [k])}), expect_head=k - 1)
    for t in readers:
        t.join()
    assert errors == []
    assert store.load(thread_id).values["日志"] == list(range(1, 22))


def test_a_closed_store_says_so(make_store: Any, thread_id: str) -> None:
    store = make_store()
    store.begin(spec(thread_id))
    store.close()
    with pytest.raises(CheckpointError):
        store.load(thread_id)


def test_the_node_cache(store: Checkpointer, thread_id: str) -> None:
    key = f"起草:{thread_id}:输入哈希"
    assert store.get_cached(key) is None
    store.put_cached(key, SERDE.encode({"草稿": "缓存的稿"}))
    cached = store.get_cached(key)
    assert cached is not None and SERDE.decode(cached) == {"草稿": "缓存的稿"}
    store.put_cached(key, SERDE.encode({"草稿": "新稿"}), ttl=60)
    assert SERDE.decode(store.get_cached(key) or b"") == {"草稿": "新稿"}
    store.put_cached(key + "-过期", b"\x80", ttl=0.05)
    time.sleep(0.1)
    assert store.get_cached(key + "-过期") is None


def test_a_fenced_status_change_loses_to_a_runner_that_moved_on(store: Checkpointer,
                                                                 thread_id: str) -> None:
    run_steps(store, thread_id, 3)  # head at main:3
    store.set_status(thread_id, "completed")
    with pytest.raises(ThreadConflictError):
        store.set_status(thread_id, "running", head=("main", 2))  # loaded before step 3
    head = store.head(thread_id)
    assert head is not None and head.status == "completed"
    store.set_status(thread_id, "running", head=("main", 3))
    head = store.head(thread_id)
    assert head is not None and head.status == "running"
