"""`@node(cache=...)`: a call with the same inputs and code reuses the stored outputs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TypedDict

import pytest

from liteflow import START, FlowDefinitionError, NodeConfig, flow, node
from liteflow.core.cache import CachePolicy

calls: list[str] = []


class 译文(TypedDict):
    译: str


@node(cache=True)
def 翻译(原文: str) -> 译文:
    calls.append(原文)
    return {"译": f"《{原文}》"}


@flow(output=译文)
def 翻译流程(原文: str) -> None:
    START >> 翻译


def test_the_same_inputs_reuse_the_outputs_without_running(tmp_path: Path) -> None:
    calls.clear()
    app = 翻译流程.with_options(cache=f"sqlite:///{tmp_path}/cache.db")
    assert app.run(原文="你好").output == {"译": "《你好》"}
    assert app.run(原文="你好").output == {"译": "《你好》"}
    assert app.run(原文="再见").output == {"译": "《再见》"}
    assert calls == ["你好", "再见"]
    # Another process, the same store: still a hit.
    again = 翻译流程.with_options(cache=f"sqlite:///{tmp_path}/cache.db")
    assert again.run(原文="你好").output == {"译": "《你好》"} and calls == ["你好", "再见"]


def test_results_live_in_the_runs_checkpointer(tmp_path: Path) -> None:
    calls.clear()
    db = f"sqlite:///{tmp_path}/runs.db"
    翻译流程.with_options(thread_id="a", checkpointer=db).run(原文="线程")
    翻译流程.with_options(thread_id="b", checkpointer=db).run(原文="线程")
    assert calls == ["线程"]


stamp: list[float] = []


class 时间(TypedDict):
    t: float


@node(cache=CachePolicy(ttl=0.3, key=lambda inputs: inputs["url"].lower()))
def 抓取(url: str) -> 时间:
    stamp.append(time.monotonic())
    return {"t": stamp[-1]}


@flow(output=时间)
def 抓取流程(url: str) -> None:
    START >> 抓取


def test_a_key_function_and_a_ttl_decide_what_counts_as_the_same_call() -> None:
    stamp.clear()
    first = 抓取流程.run(url="HTTP://例子.com").output["t"]
    assert 抓取流程.run(url="http://例子.com").output["t"] == first   # same key: a hit
    time.sleep(0.35)
    assert 抓取流程.run(url="http://例子.com").output["t"] != first   # expired
    assert len(stamp) == 2


def test_changed_code_is_a_new_cache_entry() -> None:
    calls.clear()

    @node(name="翻译", cache=True)
    def 新翻译(原文: str) -> 译文:
        calls.append("新:" + 原文)
        return {"译": f"[{原文}]"}

    @flow(name="翻译流程", output=译文)
    def 新流程(原文: str) -> None:
        START >> 新翻译

    翻译流程.run(原文="代码")
    assert 新流程.run(原文="代码").output == {"译": "[代码]"}
    assert calls == ["代码", "新:代码"]


def test_bad_cache_options_are_refused() -> None:
    with pytest.raises(FlowDefinitionError, match="cache"):
        NodeConfig(cache="yes")  # type: ignore[arg-type]
    with pytest.raises(FlowDefinitionError, match="ttl"):
        CachePolicy(ttl=0)


def test_a_hit_is_a_node_finished_event_marked_cached_and_counted() -> None:
    from liteflow import NodeFinished

    calls.clear()
    seen: list[NodeFinished] = []
    app = 翻译流程.with_options(
        on_event=lambda e: seen.append(e) if isinstance(e, NodeFinished) else None,
        metrics=True)
    app.run(原文="事件")
    second = app.run(原文="事件")
    assert [e.cached for e in seen] == [False, True] and calls == ["事件"]
    assert second.metrics.nodes["翻译"].cached == 1
