"""Merge strategies (SPEC §1.4), atomic supersteps, determinism."""

from __future__ import annotations

import random
import time
from typing import Annotated, Any, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liteflow import NodeFunction, StateConflictError, UpdateStrategy, flow, node
from liteflow.core.merge import MISSING, deep_merge, merger_for


class 起点输出(TypedDict):
    seed: int


@node
def 起点(seed: int) -> 起点输出:
    return {"seed": seed}


def _fan_out(outputs: type[Any], values: list[Any], key: str, *,
             jitter: bool = False) -> dict[str, Any]:
    """Run a flow where one branch per value writes it to `key` in one superstep."""
    branches: list[NodeFunction[..., Any]] = []
    for i, value in enumerate(values):
        def branch(seed: int, value: Any = value) -> Any:
            if jitter:
                time.sleep(random.random() / 200)
            return {key: value}
        branch.__name__ = f"分支{i}"
        branch.__annotations__ = {"seed": int, "value": Any, "return": outputs}
        branches.append(node(branch))

    @flow
    def 扇出(seed: int) -> None:
        起点 >> branches

    return 扇出.run(seed=0).final_state.to_dict()


class 覆盖(TypedDict):
    v: int


class 追加(TypedDict):
    v: Annotated[list[int], UpdateStrategy.APPEND]


class 相加(TypedDict):
    v: Annotated[int, UpdateStrategy.ADD]


class 合并(TypedDict):
    v: Annotated[dict[str, Any], UpdateStrategy.MERGE]


class 忽略(TypedDict):
    v: Annotated[int, UpdateStrategy.IGNORE]


class 冲突(TypedDict):
    v: Annotated[int, UpdateStrategy.RAISE]


class 自定义(TypedDict):
    v: Annotated[int, max]


def test_overwrite_last_in_plan_order_wins() -> None:
    assert _fan_out(覆盖, [1, 2, 3], "v", jitter=True)["v"] == 3


def test_append_concatenates_lists_and_appends_single_values() -> None:
    assert _fan_out(追加, [[1], [2, 3], [4]], "v")["v"] == [1, 2, 3, 4]

    class 混合(TypedDict):
        v: Annotated[Any, UpdateStrategy.APPEND]

    assert _fan_out(混合, [[1, 2], 3], "v")["v"] == [1, 2, 3]


def test_add_sums_numbers() -> None:
    assert _fan_out(相加, [1, 2, 3, 4], "v")["v"] == 10


def test_merge_is_recursive_for_dicts_lists_and_sets() -> None:
    values = [{"a": {"x": 1}, "l": [1], "s": {1}}, {"a": {"y": 2}, "l": [2], "s": {2}, "b": 0}]
    assert _fan_out(合并, values, "v")["v"] == {
        "a": {"x": 1, "y": 2}, "l": [1, 2], "s": {1, 2}, "b": 0}


def test_ignore_keeps_the_first_value() -> None:
    assert _fan_out(忽略, [5, 6, 7], "v")["v"] == 5


def test_raise_on_a_second_different_write_names_the_key() -> None:
    assert _fan_out(冲突, [4, 4], "v")["v"] == 4
    with pytest.raises(StateConflictError) as info:
        _fan_out(冲突, [4, 5], "v")
    assert info.value.key == "v"
    assert "分支1" in str(info.value)


def test_custom_reducer() -> None:
    assert _fan_out(自定义, [3, 9, 2], "v")["v"] == 9


def test_merge_across_supersteps_does_not_mutate_earlier_values() -> None:
    class 列表(TypedDict):
        items: Annotated[list[int], UpdateStrategy.APPEND]

    class 快照(TypedDict):
        first: list[int]

    @node
    def 放一(seed: int) -> 列表:
        return {"items": [1]}

    @node
    def 记住(items: list[int]) -> 快照:
        return {"first": items}

    @node
    def 放二(seed: int) -> 列表:
        return {"items": [2]}

    @flow
    def 不共享(seed: int) -> None:
        放一 >> 记住 >> 放二

    state = 不共享.run(seed=0).final_state
    assert state["items"] == [1, 2]
    assert state["first"] == [1], "an APPEND must not mutate a list another key refers to"


def test_failed_superstep_applies_none_of_its_writes() -> None:
    class 甲输出(TypedDict):
        a: int

    class 乙输出(TypedDict):
        b: int

    seen: dict[str, Any] = {}

    @node
    def 写甲(seed: int) -> 甲输出:
        return {"a": 1}

    @node
    def 出错(seed: int) -> 乙输出:
        raise RuntimeError("坏了")

    def 观察(event: Any) -> None:
        if hasattr(event, "result"):
            seen["result"] = event

    @flow
    def 原子(seed: int) -> None:
        起点 >> [写甲, 出错]

    from liteflow import NodeError, SuperStepEvent

    steps: list[SuperStepEvent] = []
    with pytest.raises(NodeError):
        原子.with_options(on_event=lambda e: steps.append(e) if isinstance(
            e, SuperStepEvent) else None).run(seed=0)
    # Only the first superstep (起点) reached its barrier.
    assert [s.superstep for s in steps] == [1]
    assert steps[0].written_keys == ("seed",)


def test_merge_helpers_never_mutate_inputs() -> None:
    old = {"a": [1], "d": {"x": 1}}
    new = {"a": [2], "d": {"y": 2}}
    merged = deep_merge(old, new)
    assert merged == {"a": [1, 2], "d": {"x": 1, "y": 2}}
    assert old == {"a": [1], "d": {"x": 1}}
    append = merger_for(UpdateStrategy.APPEND)
    assert append is not None
    current = [1]
    assert append("k", current, [2], False) == [1, 2]
    assert current == [1]
    assert append("k", MISSING, 5, False) == [5]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=12), st.randoms())
def test_append_add_merge_do_not_depend_on_completion_order(values: list[int],
                                                            rnd: random.Random) -> None:
    """Whatever order parallel branches finish in, the merged state is the same."""
    order = list(range(len(values)))
    rnd.shuffle(order)
    delays = {i: order.index(i) / 2000 for i in order}

    class 多键(TypedDict):
        log: Annotated[list[int], UpdateStrategy.APPEND]
        total: Annotated[int, UpdateStrategy.ADD]
        seen: Annotated[dict[str, int], UpdateStrategy.MERGE]

    branches = []
    for i, value in enumerate(values):
        def branch(seed: int, i: int = i, value: int = value) -> 多键:
            time.sleep(delays[i])
            return {"log": [value], "total": value, "seen": {str(i): value}}
        branch.__name__ = f"b{i}"
        branches.append(node(branch))

    @flow
    def 乱序(seed: int) -> None:
        起点 >> branches

    state = 乱序.run(seed=0).final_state
    assert state["log"] == values
    assert state["total"] == sum(values)
    assert state["seen"] == {str(i): v for i, v in enumerate(values)}
