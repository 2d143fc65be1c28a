"""`StateManager`: the merge strategies, snapshots, and safety under threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from liteflow import StateConflictError, StateManager, UpdateStrategy


def test_the_documented_example() -> None:
    sm = StateManager({"日志": ["开始"]})
    sm.update({"日志": ["第一步"]}, strategy=UpdateStrategy.APPEND)
    assert sm.get("日志") == ["开始", "第一步"]
    快照 = sm.snapshot()
    sm.set("计数", 1)
    sm.restore(快照)
    assert "计数" not in sm.get_state()


@pytest.mark.parametrize(("strategy", "old", "new", "merged"), [
    (UpdateStrategy.OVERWRITE, 1, 2, 2),
    (UpdateStrategy.MERGE, {"a": {"x": 1}, "l": [1]}, {"a": {"y": 2}, "l": [2]},
     {"a": {"x": 1, "y": 2}, "l": [1, 2]}),
    (UpdateStrategy.MERGE, {1, 2}, {3}, {1, 2, 3}),
    (UpdateStrategy.IGNORE, "先来", "后到", "先来"),
    (UpdateStrategy.APPEND, ["a"], "b", ["a", "b"]),
    (UpdateStrategy.APPEND, "a", ["b", "c"], ["a", "b", "c"]),
    (UpdateStrategy.ADD, 1.5, 2, 3.5),
    (UpdateStrategy.RAISE, 7, 7, 7),
])
def test_strategies(strategy: UpdateStrategy, old: object, new: object, merged: object) -> None:
    sm = StateManager({"k": old})
    sm.update({"k": new}, strategy=strategy)
    assert sm.get("k") == merged


def test_a_key_without_a_value_takes_the_first_write_under_every_strategy() -> None:
    for strategy in UpdateStrategy:
        sm = StateManager()
        sm.update({"新": 1}, strategy=strategy)
        assert sm.get("新") == (1 if strategy is not UpdateStrategy.APPEND else [1])


def test_a_custom_reducer() -> None:
    sm = StateManager({"最大": 3})
    sm.update({"最大": 1}, strategy=max)
    sm.update({"最大": 9}, strategy=max)
    assert sm.get("最大") == 9


def test_raise_conflicts_are_atomic() -> None:
    sm = StateManager({"a": 1, "b": 1})
    with pytest.raises(StateConflictError, match="b") as caught:
        sm.update({"a": 1, "b": 2, "c": 3}, strategy=UpdateStrategy.RAISE)
    assert caught.value.key == "b"
    assert sm.get_state().to_dict() == {"a": 1, "b": 1}  # nothing of the update was applied


def test_merges_never_mutate_values_the_caller_holds() -> None:
    mine = ["a"]
    sm = StateManager({"l": mine})
    sm.update({"l": ["b"]}, strategy=UpdateStrategy.APPEND)
    assert mine == ["a"]


def test_snapshots_are_deep_and_restorable_many_times() -> None:
    sm = StateManager({"配置": {"层": [1]}})
    snap = sm.snapshot()
    sm.get("配置")["层"].append(2)  # an in-place change after the snapshot
    sm.set("新键", True)
    sm.restore(snap)
    assert sm.get_state().to_dict() == {"配置": {"层": [1]}}
    sm.get("配置")["层"].append(3)
    sm.restore(snap)
    assert sm.get("配置") == {"层": [1]}
    assert snap.to_dict() == {"配置": {"层": [1]}}
    sm.restore({"x": 1})  # a plain mapping works too
    assert list(sm) == ["x"]


def test_get_state_is_a_read_only_consistent_copy() -> None:
    sm = StateManager({"a": 1})
    view = sm.get_state()
    sm.set("a", 2)
    assert view["a"] == 1
    with pytest.raises(TypeError):
        view["a"] = 3  # type: ignore[index]


def test_concurrent_updates_lose_nothing() -> None:
    sm = StateManager({"计数": 0, "日志": []})
    threads, rounds = 8, 500

    def work(i: int) -> None:
        for j in range(rounds):
            sm.update({"计数": 1}, strategy=UpdateStrategy.ADD)
            sm.update({"日志": [(i, j)]}, strategy=UpdateStrategy.APPEND)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    assert sm.get("计数") == threads * rounds
    log = sm.get("日志")
    assert len(log) == threads * rounds and len(set(log)) == threads * rounds


def test_snapshots_taken_during_concurrent_updates_are_consistent() -> None:
    sm = StateManager({"a": 0, "b": 0})
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            # a and b always change together, in one atomic update
            sm.update({"a": 1, "b": 1}, strategy=UpdateStrategy.ADD)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(300):
            snap = sm.snapshot().to_dict()
            assert snap["a"] == snap["b"]
    finally:
        stop.set()
        thread.join()
    assert sm.version > 0
