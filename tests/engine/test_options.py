"""`with_options`: one surface for flows and builder workflows; nothing silently ignored."""

from __future__ import annotations

from typing import TypedDict

import networkx as nx
import pytest

from liteflow import FlowDefinitionError, LocalExecutor, Workflow, flow, node
from liteflow.core.messages import use_language


class 计数(TypedDict):
    n: int


@node
def 加一(n: int) -> 计数:
    return {"n": n + 1}


@node
def 翻倍(n: int) -> 计数:
    return {"n": n * 2}


@flow(output=计数)
def 计算(n: int) -> None:
    加一 >> 翻倍


def _workflow() -> Workflow:
    wf = Workflow("建造", {"n": 1})
    wf.add_node("加", lambda s: {"n": s["n"] + 1})
    return wf


@pytest.mark.parametrize("make", [lambda: 计算, _workflow], ids=["flow", "workflow"])
@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True])
def test_max_concurrency_must_be_a_positive_int(make: object, value: object) -> None:
    target = make()  # type: ignore[operator]
    with pytest.raises(FlowDefinitionError) as err:
        target.with_options(max_concurrency=value)
    assert "max_concurrency" in str(err.value) and repr(value) in str(err.value)
    with use_language("zh"):
        assert "正整数" in err.value.render("zh")
    assert target.with_options(max_concurrency=3).options.max_concurrency == 3


@pytest.mark.parametrize("make", [lambda: 计算, _workflow], ids=["flow", "workflow"])
def test_an_executor_that_is_not_one_is_refused(make: object) -> None:
    with pytest.raises(FlowDefinitionError, match="Executor"):
        make().with_options(executor="ray")  # type: ignore[operator]


@pytest.mark.parametrize(("option", "value"), [("max_supersteps", 0), ("thread_id", ""),
                                               ("on_event", 3)])
def test_bad_option_values_name_the_option(option: str, value: object) -> None:
    with pytest.raises(FlowDefinitionError, match=option):
        计算.with_options(**{option: value})  # type: ignore[arg-type]


def test_options_keep_what_was_set_and_leave_the_original_alone() -> None:
    seen: list[object] = []
    configured = 计算.with_options(on_event=seen.append).with_options(max_supersteps=5)
    assert configured.options.max_supersteps == 5 and configured.options.on_event is not None
    assert 计算.options.on_event is None
    assert configured.run(n=1).output == {"n": 4}
    assert seen and not [e for e in seen if e is None]
    executor = LocalExecutor(max_workers=2)
    assert 计算.with_options(executor=executor).options.executor is executor


@pytest.mark.parametrize("make", [lambda: 计算, _workflow], ids=["flow", "workflow"])
def test_graph_is_a_networkx_copy_of_the_compiled_graph(make: object) -> None:
    target = make()  # type: ignore[operator]
    graph = target.graph()
    assert isinstance(graph, nx.DiGraph)
    assert set(graph.nodes) == set(target.plan.node_names)
    graph.add_node("mine")
    assert "mine" not in target.graph()


def test_workflow_run_takes_one_state_mapping_at_most() -> None:
    wf = _workflow()
    assert wf.run({"n": 5}).output == {"n": 6}
    assert wf.run(n=7).output == {"n": 8}
    with pytest.raises(Exception, match="2"):
        wf.run({"n": 1}, {"n": 2})
