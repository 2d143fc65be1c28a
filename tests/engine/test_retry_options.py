"""Retry options (SPEC §1.1, §1.5): `retry_on` as a predicate `(exc) -> bool`, `jitter`
seconds of random extra wait on each backoff, and their checks."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any, TypedDict

import pytest
from tenacity import RetryCallState, Retrying

from liteflow import (
    START,
    Context,
    FlowDefinitionError,
    NodeConfig,
    NodeError,
    NodeRetrying,
    Workflow,
    flow,
    node,
)
from liteflow.core.errors import RetryPredicateError
from liteflow.core.messages import use_language


class 结果(TypedDict):
    answer: str


def _waits(target: Any, **inputs: Any) -> tuple[Any, list[float]]:
    """Run `target`, returning its result (or the exception) and the waits before retries."""
    waits: list[float] = []

    def listen(event: object) -> None:
        if isinstance(event, NodeRetrying):
            waits.append(event.wait)

    try:
        return target.with_options(on_event=listen).run(**inputs), waits
    except NodeError as exc:
        return exc, waits


def _failing(times: int, **options: Any) -> tuple[Any, list[int]]:
    """A flow whose node fails `times` times with ValueError, then answers."""
    calls: list[int] = []

    @node(**options)
    def 不稳(q: str) -> 结果:
        calls.append(1)
        if len(calls) <= times:
            raise ValueError(f"第{len(calls)}次")
        return {"answer": "好"}

    @flow(output=结果)
    def 重试流程(q: str) -> None:
        START >> 不稳

    return 重试流程, calls


def test_each_wait_lies_between_the_backoff_and_the_backoff_plus_jitter() -> None:
    target, calls = _failing(4, retry_count=4, retry_delay=0.01, backoff=2.0, jitter=0.03)
    result, waits = _waits(target, q="x")
    assert result.output == {"answer": "好"} and len(calls) == 5
    bases = [0.01, 0.02, 0.04, 0.08]
    assert len(waits) == 4
    for base, wait in zip(bases, waits, strict=True):
        assert base <= wait <= base + 0.03, (base, wait)


def test_jitter_comes_after_the_max_delay_cap() -> None:
    target, _ = _failing(9, retry_count=2, retry_delay=0.1, backoff=10.0, max_delay=0.12,
                         jitter=0.02)
    _, waits = _waits(target, q="x")
    assert len(waits) == 2
    assert 0.1 <= waits[0] <= 0.12 and 0.12 <= waits[1] <= 0.14


def test_the_random_part_is_drawn_from_random_so_a_seed_repeats_it() -> None:
    target, _ = _failing(9, retry_count=3, retry_delay=0.0, backoff=2.0, jitter=0.02)
    random.seed(20240601)
    _, first = _waits(target, q="x")
    random.seed(20240601)
    _, second = _waits(target, q="x")
    assert first == second and len(first) == 3
    assert all(0.0 <= w <= 0.02 for w in first) and len(set(first)) == 3


def test_the_compiled_wait_covers_the_whole_jitter_range() -> None:
    target, _ = _failing(0, retry_count=3, retry_delay=0.5, backoff=3.0, jitter=0.25)
    policy = target.plan.node("不稳").retry
    assert policy is not None
    state = RetryCallState(Retrying(), None, (), {})
    rng = random.Random(3)
    for attempt, base in ((1, 0.5), (2, 1.5), (3, 4.5)):
        state.attempt_number = attempt
        random.seed(rng.random())
        samples = [policy.wait(state) for _ in range(400)]
        assert all(base <= s <= base + 0.25 for s in samples)
        # Spread over the range, not stuck at one end.
        assert min(samples) < base + 0.02 and max(samples) > base + 0.23


def test_without_jitter_the_waits_are_exact() -> None:
    target, _ = _failing(9, retry_count=2, retry_delay=0.01, backoff=3.0)
    _, waits = _waits(target, q="x")
    assert [round(w, 6) for w in waits] == [0.01, 0.03]


def test_a_predicate_decides_which_failures_are_retried() -> None:
    seen: list[BaseException] = []

    def 前两次(exc: Exception) -> bool:
        seen.append(exc)
        return len(seen) < 3

    target, calls = _failing(9, retry_count=5, retry_delay=0.0, retry_on=前两次)
    error, waits = _waits(target, q="x")
    assert isinstance(error, NodeError) and not isinstance(error, RetryPredicateError)
    # True, True, then False: three attempts, and the predicate saw each real failure.
    assert len(calls) == 3 and len(waits) == 2 and error.attempts == 3
    assert [str(e) for e in seen] == ["第1次", "第2次", "第3次"]
    assert all(isinstance(e, ValueError) for e in seen)
    assert isinstance(error.__cause__, ValueError)


def test_a_predicate_returning_false_stops_at_the_first_failure() -> None:
    target, calls = _failing(9, retry_count=5, retry_delay=0.0,
                             retry_on=lambda e: isinstance(e, ConnectionError))
    error, waits = _waits(target, q="x")
    assert isinstance(error, NodeError) and error.attempts == 1
    assert calls == [1] and waits == []


def test_a_predicate_that_raises_is_a_clear_node_error_and_skips_the_fallback() -> None:
    fallbacks: list[Exception] = []

    def 兜底(q: str, error: Exception) -> 结果:
        fallbacks.append(error)
        return {"answer": "兜底"}

    def 坏判断(exc: Exception) -> bool:
        raise KeyError("拼错了")

    target, calls = _failing(9, retry_count=3, retry_delay=0.0, retry_on=坏判断,
                             fallback=兜底)
    with pytest.raises(RetryPredicateError) as info:
        target.run(q="x")
    error = info.value
    assert isinstance(error, NodeError) and error.node == "不稳" and error.attempts == 1
    assert isinstance(error.__cause__, KeyError)
    assert calls == [1] and fallbacks == []
    assert "retry_on" in str(error) and "不稳" in str(error) and "ValueError: 第1次" in str(error)
    with use_language("zh"):
        zh = error.render("zh")
    assert "判断函数" in zh and "不稳" in zh and "KeyError" in zh


@pytest.mark.parametrize("retry_on", [lambda e: True, (BaseException,)],
                         ids=["predicate", "BaseException"])
def test_interrupts_are_never_retried_nor_shown_to_the_predicate(retry_on: Any,
                                                                 tmp_path: Path) -> None:
    seen: list[BaseException] = []
    calls: list[int] = []
    judge = retry_on
    if callable(retry_on):
        def judge(exc: Exception) -> bool:
            seen.append(exc)
            return True

    @node(retry_count=3, retry_delay=0.0, retry_on=judge)
    def 审批(q: str, ctx: Context) -> 结果:
        calls.append(1)
        return {"answer": str(ctx.interrupt("批准吗？"))}

    @flow(output=结果)
    def 审批流程(q: str) -> None:
        START >> 审批

    app = 审批流程.with_options(checkpointer=f"sqlite:///{tmp_path}/runs.db", thread_id="t")
    paused = app.run(q="x")
    assert paused.status == "interrupted" and calls == [1] and seen == []
    done = app.resume("批准")
    assert done.output == {"answer": "批准"} and len(calls) == 2 and seen == []


def test_a_timeout_is_retried_whatever_the_predicate_says() -> None:
    calls: list[int] = []

    @node(timeout=0.05, retry_count=1, retry_delay=0.0, retry_on=lambda e: False)
    async def 慢(q: str) -> 结果:
        calls.append(1)
        await asyncio.sleep(5 if len(calls) == 1 else 0)
        return {"answer": "快了"}

    @flow(output=结果)
    def 超时流程(q: str) -> None:
        START >> 慢

    assert 超时流程.run(q="x").output == {"answer": "快了"} and len(calls) == 2


def test_an_async_node_with_a_predicate_and_jitter() -> None:
    calls: list[int] = []

    @node(retry_count=2, retry_delay=0.0, jitter=0.01,
          retry_on=lambda e: isinstance(e, ConnectionError))
    async def 连网(q: str) -> 结果:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("断了")
        return {"answer": "连上了"}

    @flow(output=结果)
    def 网络(q: str) -> None:
        START >> 连网

    result, waits = _waits(网络, q="x")
    assert result.output == {"answer": "连上了"} and len(waits) == 2
    assert all(0.0 <= w <= 0.01 for w in waits)


def test_builder_nodes_take_the_same_options() -> None:
    calls: list[int] = []

    def 不稳(inputs: dict[str, Any], **context: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) < 2:
            raise ConnectionError("断了")
        return {"done": True}

    wf = Workflow("建造", {"n": 1})
    wf.add_node("不稳", 不稳, config=NodeConfig(
        retry_count=2, retry_delay=0.0, jitter=0.001,
        retry_on=lambda e: isinstance(e, ConnectionError)))
    assert wf.run().final_state.to_dict()["done"] is True and len(calls) == 2


# -- checks -----------------------------------------------------------------------------

@pytest.mark.parametrize(("option", "value"), [
    ("jitter", -0.5), ("jitter", "0.5"), ("jitter", True), ("jitter", float("nan")),
    ("retry_on", (int,)), ("retry_on", "ValueError"), ("retry_on", int), ("retry_on", 3),
    ("retry_on", (ValueError, "x")),
])
def test_bad_retry_options_name_the_node(option: str, value: Any) -> None:
    with pytest.raises(FlowDefinitionError) as info:
        @node(retry_count=1, **{option: value})
        def 某节点(q: str) -> 结果:
            return {"answer": q}
    error = info.value
    assert error.node == "某节点" and option in str(error) and repr(value) in str(error)
    with use_language("zh"):
        assert "某节点" in error.render("zh") and option in error.render("zh")

    with pytest.raises(FlowDefinitionError) as named:
        node(name="起了名", **{option: value})
    assert named.value.node == "起了名"

    with pytest.raises(FlowDefinitionError) as config:
        NodeConfig(**{option: value})
    assert "NodeConfig" in str(config.value) and option in str(config.value)


def test_good_retry_options_are_kept() -> None:
    def 判断(exc: Exception) -> bool:
        return True

    assert NodeConfig(retry_on=判断, jitter=0.5).retry_on is 判断
    assert NodeConfig(retry_on=ValueError).retry_on == (ValueError,)
    assert NodeConfig(retry_on=()).retry_on == ()
    assert NodeConfig(jitter=1).jitter == 1
