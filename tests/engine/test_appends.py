"""Appends cost O(new items): a committed list is extended in place only while nothing but
the state refers to it; whoever holds a list (a node, a caller, an event, a `RunResult`)
never sees it change."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow import START, StateManager, UpdateStrategy, flow, node
from liteflow.checkpoint import FoldRecord, delta_ops, fold
from liteflow.checkpoint._delta import apply_writes, before_step
from liteflow.core.events import RunFinished, RunStarted
from liteflow.core.merge import MISSING, MergeConflict, merge_writes, merger_for

EXAMPLES = int(os.environ.get("LITEFLOW_APPEND_EXAMPLES", "150"))

STRATEGIES = (UpdateStrategy.APPEND, UpdateStrategy.MERGE, UpdateStrategy.ADD,
              UpdateStrategy.OVERWRITE, UpdateStrategy.IGNORE, UpdateStrategy.RAISE)


# -- the barrier as it was: every superstep copies the committed list -----------------------

def _reference_deep_merge(current: Any, new: Any) -> Any:
    if isinstance(current, Mapping) and isinstance(new, Mapping):
        merged = dict(current)
        for k, v in new.items():
            merged[k] = _reference_deep_merge(merged[k], v) if k in merged else v
        return merged
    if isinstance(current, list) and isinstance(new, list):
        return current + new
    if isinstance(current, set | frozenset) and isinstance(new, set | frozenset):
        return current | new
    return new


def _reference_merger(strategy: UpdateStrategy, current: Any, new: Any) -> Any:
    if strategy is UpdateStrategy.OVERWRITE:
        return new
    if strategy is UpdateStrategy.IGNORE:
        return new if current is MISSING else current
    if strategy is UpdateStrategy.RAISE:
        if current is not MISSING and current != new:
            raise MergeConflict("k", current, new)
        return new
    if strategy is UpdateStrategy.ADD:
        return new if current is MISSING else current + new
    if strategy is UpdateStrategy.MERGE:
        return new if current is MISSING else _reference_deep_merge(current, new)
    if current is MISSING:
        result: list[Any] = []
    elif isinstance(current, list):
        result = list(current)
    else:
        result = [current]
    result.extend(new) if isinstance(new, list) else result.append(new)
    return result


def _reference_step(values: dict[str, Any], writes: list[dict[str, Any]],
                    strategies: Mapping[str, UpdateStrategy]) -> dict[str, Any]:
    """The state after one superstep, computed without touching `values`."""
    staged: dict[str, Any] = {}
    for out in writes:
        for key, value in out.items():
            current = staged[key] if key in staged else values.get(key, MISSING)
            staged[key] = _reference_merger(strategies[key], current, copy.deepcopy(value))
    return {**values, **staged}


# Values a key may be written with: ints, lists of ints, small dicts with list leaves.
_leaf = st.integers(-5, 5)
_value = st.one_of(_leaf, st.lists(_leaf, max_size=4),
                   st.dictionaries(st.sampled_from("xy"),
                                   st.one_of(_leaf, st.lists(_leaf, max_size=3)), max_size=2))
_keys = ("a", "b", "c")
_step = st.lists(st.dictionaries(st.sampled_from(_keys), _value, min_size=1, max_size=3),
                 min_size=1, max_size=3)


@settings(max_examples=EXAMPLES, deadline=None)
@given(strategies=st.fixed_dictionaries({k: st.sampled_from(STRATEGIES) for k in _keys}),
       initial=st.dictionaries(st.sampled_from(_keys), _value, max_size=3),
       steps=st.lists(_step, min_size=1, max_size=8),
       keep=st.lists(st.booleans(), min_size=8, max_size=8))
def test_the_barrier_gives_exactly_the_old_results(strategies: dict[str, UpdateStrategy],
                                                    initial: dict[str, Any],
                                                    steps: list[list[dict[str, Any]]],
                                                    keep: list[bool]) -> None:
    """Random writes and strategies: the new barrier (growing lists in place where nobody
    holds them) gives the old results, and every value someone held is unchanged."""
    mergers = {k: m for k, s in strategies.items() if (m := merger_for(s)) is not None}
    values = copy.deepcopy(initial)
    expected = copy.deepcopy(initial)
    held: list[tuple[Any, Any]] = []  # (object someone kept, a deep copy of it then)
    for i, step in enumerate(steps):
        writes = [(f"n{j}", copy.deepcopy(out)) for j, out in enumerate(step)]
        try:
            want = _reference_step(expected, [w for _, w in writes], strategies)
        except (MergeConflict, TypeError) as failed:  # RAISE, or ADD of an int and a list
            before = copy.deepcopy(values)
            with pytest.raises(type(failed)):
                merge_writes(values, writes, mergers)
            assert values == before  # rolled back: nothing half applied
            continue
        staged = merge_writes(values, writes, mergers)
        values.update(staged)
        expected = want
        assert values == expected
        if keep[i]:  # a reader keeps what it got (as a node or a listener may)
            held += [(v, copy.deepcopy(v)) for v in values.values()]
    for obj, then in held:
        assert obj == then


def test_a_failing_write_shrinks_the_grown_list_back() -> None:
    mergers = {"log": merger_for(UpdateStrategy.APPEND), "once": merger_for(UpdateStrategy.RAISE)}
    assert all(mergers.values())
    values: dict[str, Any] = {"log": [1, 2], "once": 1}
    log = values["log"]
    del log  # only the state holds it now: the barrier may grow it in place
    with pytest.raises(MergeConflict) as caught:
        merge_writes(values, [("a", {"log": [3]}), ("b", {"once": 2})],
                     mergers)  # type: ignore[arg-type]
    assert caught.value.writer == "b"
    assert values == {"log": [1, 2], "once": 1}


def test_a_list_grows_in_place_only_while_nobody_else_holds_it() -> None:
    mergers = {"log": merger_for(UpdateStrategy.APPEND)}
    values: dict[str, Any] = {"log": [0]}
    ident = id(values["log"])
    staged = merge_writes(values, [("a", {"log": [1]})], mergers)  # type: ignore[arg-type]
    values.update(staged)
    assert id(values["log"]) == ident  # nobody held it: grown in place
    mine = values["log"]
    staged = merge_writes(values, [("a", {"log": [2]})], mergers)  # type: ignore[arg-type]
    values.update(staged)
    assert mine == [0, 1] and values["log"] == [0, 1, 2]  # held: copied
    assert values["log"] is not mine


# -- flows: what nodes, callers and listeners got stays as it was --------------------------

class LogOut(TypedDict):
    i: int
    log: Annotated[list[int], UpdateStrategy.APPEND]


class Final(TypedDict):
    i: int
    log: list[int]


def _looping(n: int, seen: list[tuple[int, list[int], list[int]]] | None = None) -> Any:
    @node
    def grow(i: int) -> LogOut:
        return {"i": i + 1, "log": [i]}

    @node
    def grow_and_read(i: int, log: list[int]) -> LogOut:
        assert seen is not None
        seen.append((i, log, list(log)))  # keeps the very list it got
        return {"i": i + 1, "log": [i]}

    step = grow if seen is None else grow_and_read

    @flow(max_supersteps=n + 10)
    def looping(i: int, log: list[int]) -> Final:
        START >> step
        step >> step.when(lambda out: out["i"] < n)

    return looping


def test_a_list_a_node_got_in_superstep_k_is_unchanged_after_later_appends() -> None:
    seen: list[tuple[int, list[int], list[int]]] = []
    result = _looping(30, seen).run(i=0, log=[])
    assert result.final_state["log"] == list(range(30))
    assert len(seen) == 30
    for i, got, then in seen:
        assert type(got) is list
        assert got == then == list(range(i))


def test_the_callers_input_and_the_run_result_are_never_changed_afterwards() -> None:
    flow_ = _looping(20)
    mine = [100, 101]
    first = flow_.run(i=0, log=mine)
    assert mine == [100, 101]
    held = first.final_state["log"]
    assert held == [100, 101, *range(20)]
    again = flow_.run(i=0, log=held)  # the next run starts from the list the caller holds
    assert held == [100, 101, *range(20)]
    assert again.final_state["log"] == [100, 101, *range(20), *range(20)]
    assert first.final_state["log"] == [100, 101, *range(20)]


def test_values_in_events_are_never_changed_afterwards() -> None:
    kept: list[Any] = []
    result = _looping(15).with_options(on_event=kept.append).run(i=0, log=[7])
    started = [e for e in kept if isinstance(e, RunStarted)]
    assert len(started) == 1 and started[0].inputs["log"] == [7]
    finished = [e for e in kept if isinstance(e, RunFinished)]
    assert finished[0].result.final_state["log"] == [7, *range(15)]
    assert result.final_state["log"] == [7, *range(15)]
    # A listener that keeps the state of a run in the middle: it stays as it was.
    seen: list[tuple[list[int], list[int]]] = []

    def watch(event: Any) -> None:
        if isinstance(event, RunStarted):
            seen.append((event.inputs["log"], list(event.inputs["log"])))

    for _ in range(2):
        _looping(5).with_options(on_event=watch).run(i=0, log=[1])
    assert all(got == then for got, then in seen)


def test_a_state_manager_never_changes_a_list_it_handed_out() -> None:
    sm = StateManager({"日志": []})
    got = []
    for i in range(10):
        sm.update({"日志": [i]}, strategy=UpdateStrategy.APPEND)
        if i % 3 == 0:
            got.append((sm.get("日志"), list(range(i + 1))))
    for value, then in got:
        assert value == then
    assert sm.get("日志") == list(range(10))


# -- the checkpoint path: deltas, a snapshot taken after in-place growth, replay -------------

def test_a_snapshot_of_the_state_before_a_grown_step_is_cut_back() -> None:
    strategies = {"log": UpdateStrategy.APPEND}
    mergers = {"log": merger_for(UpdateStrategy.APPEND)}
    values: dict[str, Any] = {"log": [0, 1]}
    staged = merge_writes(values, [("a", {"log": [2]})], mergers)  # type: ignore[arg-type]
    ops = delta_ops(strategies, values, [{"log": [2]}], staged)
    assert ops == {"log": ("a", [2])}
    assert values["log"] == [0, 1, 2]  # grown in place before the commit
    before = before_step(values, ops)
    assert dict(before) == {"log": [0, 1]}  # what a snapshot of the step stores
    replayed = fold([FoldRecord(dict(before), {"log": ["a", [2]]})])
    assert replayed == {"log": [0, 1, 2]}


def test_replay_of_merge_lists_extends_only_what_the_fold_owns() -> None:
    values: dict[str, Any] = {}
    apply_writes(values, {"m": ["m", [[1], [2, 3]]]})
    shared = values["m"]
    apply_writes(values, {"m": ["m", [[4]]]})
    assert values["m"] == [1, 2, 3, 4]
    assert shared == [1, 2, 3]  # someone held it: the fold copied


class BlobOut(TypedDict):
    i: int
    log: Annotated[list[str], UpdateStrategy.APPEND]


class BlobFinal(TypedDict):
    i: int
    log: list[str]


def test_a_durable_loop_stores_appends_as_deltas_and_resumes_exactly(tmp_path: Any) -> None:
    from liteflow.checkpoint import SqliteCheckpointer

    n = 40

    @node
    def grow(i: int) -> BlobOut:
        return {"i": i + 1, "log": [f"{i:04d}" * 8]}

    @flow(max_supersteps=n + 10)
    def durable(i: int) -> BlobFinal:
        START >> grow
        grow >> grow.when(lambda out: out["i"] < n)

    path = tmp_path / "t.db"
    result = durable.with_options(thread_id="t", checkpointer=f"sqlite:///{path}").run(i=0)
    expected = [f"{i:04d}" * 8 for i in range(n)]
    assert result.final_state["log"] == expected
    store = SqliteCheckpointer(str(path))
    try:
        assert store.load("t").values["log"] == expected
        rows = store.history("t")
        assert len(rows) >= n
    finally:
        store.close()


# -- scaling: a superstep does not copy the history -----------------------------------------

def _ids_per_step(history: int, steps: int) -> list[int]:
    """The identity of the committed list after every superstep, as a condition sees it
    (it keeps nothing). Two consecutive different ids mean a copy: the old list was alive
    while the new one was made."""
    ids: list[int] = []

    @node
    def grow(i: int) -> LogOut:
        return {"i": i + 1, "log": [i]}

    def again(out: Mapping[str, Any], state: Mapping[str, Any]) -> bool:
        ids.append(id(state["log"]))
        return bool(out["i"] < steps)

    @flow(max_supersteps=steps + 10)
    def looping(i: int, log: list[int]) -> Final:
        START >> grow
        grow >> grow.when(again)

    result = looping.run(i=0, log=list(range(history)))
    assert result.final_state["log"] == [*range(history), *range(steps)]
    return ids


def test_a_superstep_costs_o_new_items_not_o_history() -> None:
    """After the first append (which copies the caller's list: the caller may hold it), the
    same list is extended at every superstep: no superstep copies the 100,000-item history,
    so the cost per superstep does not depend on its length."""
    ids = _ids_per_step(100_000, 300)
    assert len(ids) == 300
    assert len(set(ids)) == 1


def test_a_node_that_reads_the_history_without_keeping_it_costs_no_copy() -> None:
    ids: list[int] = []
    seen: list[int] = []

    @node
    def grow(i: int, log: list[int]) -> LogOut:
        seen.append(len(log))  # reads the whole history, keeps nothing of it
        return {"i": i + 1, "log": [i]}

    def again(out: Mapping[str, Any], state: Mapping[str, Any]) -> bool:
        ids.append(id(state["log"]))
        return bool(out["i"] < 200)

    @flow(max_supersteps=300)
    def looping(i: int, log: list[int]) -> Final:
        START >> grow
        grow >> grow.when(again)

    result = looping.run(i=0, log=list(range(10_000)))
    assert result.final_state["log"] == [*range(10_000), *range(200)]
    assert seen == list(range(10_000, 10_200))
    assert len(set(ids[1:])) == 1  # after the first append (the caller's list), no copy


def test_a_superstep_copies_the_history_while_a_reader_holds_it() -> None:
    kept: list[list[int]] = []

    @node
    def grow(i: int, log: list[int]) -> LogOut:
        if i % 2 == 0:
            kept.append(log)  # this node keeps every other list it gets
        return {"i": i + 1, "log": [i]}

    @flow(max_supersteps=40)
    def looping(i: int, log: list[int]) -> Final:
        START >> grow
        grow >> grow.when(lambda out: out["i"] < 20)

    result = looping.run(i=0, log=[])
    assert result.final_state["log"] == list(range(20))
    assert [len(x) for x in kept] == list(range(0, 20, 2))
    assert all(x == list(range(len(x))) for x in kept)


def test_snapshots_taken_while_lists_grow_in_place_replay_exactly(tmp_path: Any) -> None:
    """The journal snapshots the state *before* a step at every other step, while the
    barrier grows the lists of that very state in place: loading gives the run's state."""
    from liteflow.checkpoint import Journal, SqliteCheckpointer, ThreadSpec

    store = SqliteCheckpointer(str(tmp_path / "s.db"))
    try:
        journal = Journal(store, ThreadSpec("t", "f", None, "fp", "shape", "r"),
                          node_names=["n"], snapshot_max_rows=2)
        journal.begin()
        strategies = {"log": UpdateStrategy.APPEND, "m": UpdateStrategy.MERGE,
                      "i": UpdateStrategy.OVERWRITE}
        mergers = {k: m for k, s in strategies.items() if (m := merger_for(s)) is not None}
        values: dict[str, Any] = {"log": [], "m": [], "i": 0}
        journal.step(0, "input", {k: ("v", list(v) if isinstance(v, list) else v)
                                  for k, v in values.items()}, active=[0], values={})
        for k in range(1, 12):
            outs: list[dict[str, Any]] = [{"log": [k], "m": [k, -k], "i": k}, {"log": [10 * k]}]
            staged = merge_writes(values, [("n", o) for o in outs], mergers)
            ops = delta_ops(strategies, values, outs, staged)
            journal.step(k, "step", ops, active=[0], values=values)
            values.update(staged)
        journal.finish("completed")
        assert values["log"] == [x for k in range(1, 12) for x in (k, 10 * k)]
        loaded = store.load("t")
        assert loaded.values == values
        assert any(row.step > 0 for row in store.history("t"))
    finally:
        store.close()
