"""Delta ops: replaying a thread's records rebuilds exactly the state the run built."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow.checkpoint import (
    FoldRecord,
    Journal,
    MemoryCheckpointer,
    Serde,
    SnapshotRule,
    ThreadSpec,
    delta_ops,
    encode_ops,
    fold,
)
from liteflow.core.merge import MISSING, merger_for
from liteflow.core.merge import UpdateStrategy as U

# Raise for a longer property run, e.g. LITEFLOW_TEST_EXAMPLES=5000.
EXAMPLES = int(os.environ.get("LITEFLOW_TEST_EXAMPLES", "200")) // 2


def _twice_plus(old: Any, new: Any) -> Any:
    return old * 2 + new


STRATEGIES: Mapping[str, Any] = {
    "覆盖": None, "忽略": U.IGNORE, "冲突": U.RAISE, "追加": U.APPEND, "求和": U.ADD,
    "合并": U.MERGE, "自定义": _twice_plus,
}
MERGERS = {k: merger_for(s) for k, s in STRATEGIES.items()}

small = st.integers(-5, 5)
merge_values = st.recursive(
    st.dictionaries(st.sampled_from(["甲", "乙", "丙"]), small | st.lists(small, max_size=2)
                    | st.frozensets(small, max_size=2), max_size=3),
    lambda inner: st.dictionaries(st.sampled_from(["甲", "乙", "子"]), inner, max_size=2),
    max_leaves=6)
WRITES: Mapping[str, st.SearchStrategy[Any]] = {
    "覆盖": st.text(max_size=3) | small | st.lists(small, max_size=3),
    "忽略": st.text(max_size=3),
    "冲突": st.just("同一个值"),
    "追加": small | st.lists(small, max_size=3) | st.text(max_size=2),
    "求和": small,
    "合并": merge_values,
    "自定义": small,
}
output = st.fixed_dictionaries({}, optional=dict(WRITES))
supersteps = st.lists(st.lists(output, min_size=1, max_size=3), min_size=1, max_size=8)


def barrier(values: dict[str, Any], outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Stage one superstep's writes the way the runner does (first write copies)."""
    staged: dict[str, Any] = {}
    for out in outputs:
        for key, value in out.items():
            merger = MERGERS[key]
            if merger is None:
                staged[key] = value
                continue
            owned = key in staged
            current = staged[key] if owned else values.get(key, MISSING)
            staged[key] = merger(key, current, value, owned)
    return staged


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(STRATEGIES)), small, max_size=3), supersteps,
       st.sampled_from([1, 64, 1 << 30]))
def test_fold_of_the_stored_records_equals_the_state(inputs: dict[str, Any],
                                                     steps: list[list[dict[str, Any]]],
                                                     snapshot_bytes: int) -> None:
    if "追加" in inputs:
        inputs["追加"] = [inputs["追加"]]
    if "合并" in inputs:
        inputs["合并"] = {"甲": inputs["合并"]}
    if "冲突" in inputs:
        inputs["冲突"] = "同一个值"
    store = MemoryCheckpointer()
    journal = Journal(store, ThreadSpec(f"t-{uuid.uuid4().hex}", "流程", None, "fp", "s", "r"),
                      snapshot_min_bytes=snapshot_bytes, snapshot_max_rows=5)
    assert journal.open() is None
    values = dict(inputs)
    journal.step(0, "input", {k: ("v", v) for k, v in values.items()}, active=[0])
    for number, outputs in enumerate(steps, start=1):
        staged = barrier(values, outputs)
        ops = delta_ops(STRATEGIES, values, outputs, {**values, **staged})
        journal.step(number, "step", ops, active=[0], values=values)
        values.update(staged)
        assert store.load(journal.spec.thread_id).values == values
    # Every earlier step folds to what the state was then, too.
    assert store.load(journal.spec.thread_id, step=0).values == inputs
    journal.close()


def test_append_stores_only_the_new_items() -> None:
    before = {"日志": [1, 2, 3] * 1000}
    outputs = [{"日志": 4}, {"日志": [5, 6]}]
    ops = delta_ops({"日志": U.APPEND}, before, outputs, {"日志": [*before["日志"], 4, 5, 6]})
    assert ops == {"日志": ("a", [4, 5, 6])}
    first = delta_ops({"日志": U.APPEND}, {}, [{"日志": 1}], {"日志": [1]})
    assert first == {"日志": ("v", [1])}
    assert delta_ops({"k": U.IGNORE}, {"k": 1}, [{"k": 2}], {"k": 1}) == {}
    assert delta_ops({"m": U.MERGE}, {"m": {}}, [{"m": {"a": 1}}, {"m": {"b": 2}}],
                     {"m": {"a": 1, "b": 2}}) == {"m": ("m", [{"a": 1}, {"b": 2}])}


def test_fold_starts_at_the_latest_snapshot() -> None:
    records = [FoldRecord(None, {"a": ["v", 1], "b": ["v", [0]]}),
               FoldRecord({"a": 10, "b": [7]}, {"b": ["a", [8]]}),
               FoldRecord(None, {"a": ["v", 11], "c": ["m", [{"x": 1}, {"y": 2}]]})]
    assert fold(records) == {"a": 11, "b": [7, 8], "c": {"x": 1, "y": 2}}
    assert fold([]) == {}


def test_the_snapshot_rule() -> None:
    rule = SnapshotRule(min_bytes=1000)
    sizes = {"x": 400}
    for _ in range(3):
        rule.observe({"x": ("v", None)}, sizes, lambda key: 0)
        assert not rule.due  # dead bytes 0, 400, 800
    rule.observe({"x": ("v", None)}, sizes, lambda key: 0)
    assert rule.due  # 1200 dead >= max(400, 1000)
    rule.snapshotted({"x": 400, "y": 5000})
    assert not rule.due and rule.stats.state_bytes == 5400
    appends = SnapshotRule(min_bytes=1)
    for _ in range(500):
        appends.observe({"log": ("a", None)}, {"log": 10_000}, lambda key: 0)
    assert not appends.due  # an append-only thread never snapshots
    rows = SnapshotRule(max_rows=3)
    for _ in range(3):
        rows.observe({}, {}, lambda key: 0)
    assert rows.due


def test_overwrite_heavy_threads_stay_small_to_read() -> None:
    store = MemoryCheckpointer()
    serde = Serde()
    journal = Journal(store, ThreadSpec("覆盖线程", "流程", None, "fp", "s", "r"),
                      snapshot_min_bytes=16 * 1024)
    journal.open()
    values: dict[str, Any] = {"x": "", "n": 0}
    journal.step(0, "input", {k: ("v", v) for k, v in values.items()}, active=[0])
    delta_bytes = 0
    for k in range(1, 400):
        ops = {"x": ("v", f"{k:04d}" * 250), "n": ("v", k)}
        delta_bytes += len(encode_ops(serde, ops)[0])
        journal.step(k, "step", ops, active=[0], values=values)
        values.update({key: v for key, (_, v) in ops.items()})
    total = sum(i.nbytes for i in store.history("覆盖线程"))
    assert total <= 2 * delta_bytes
    loaded = store.load("覆盖线程")
    assert loaded.values == values
    # Replay reads at most the rows since the last snapshot (about 16 KiB / 1 KB of them).
    assert loaded.stats.rows <= 20
