"""The conformance suite every remote executor must pass, against `LocalExecutor`.

`test_ray.py` and `test_dask.py` import these tests and give the `remote` fixture (a
`Recording` executor) and `lost_worker` (the class a worker crash is caused by).
"""

from __future__ import annotations

import os
import textwrap
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import conformance_flows as flows
import pytest
from executor_support import event_shape, run_with

from liteflow.core.errors import ExecutorError, NodeError, NodeTimeoutError
from liteflow.core.events import CustomEvent, NodeFailed, NodeRetrying, RunFinished, SuperStepEvent
from liteflow.executors import LocalExecutor
from liteflow.executors._remote import Job, _dumps
from liteflow.plan import Plan, PlanNode


class Recording:
    """Mixed into an executor: notes each job's pickled size by node, and how many values
    it stores."""

    sizes: dict[str, list[int]]
    puts: int

    def _put(self, value: Any) -> Any:
        self.puts = getattr(self, "puts", 0) + 1
        return super()._put(value)  # type: ignore[misc]

    def _submit(self, node: PlanNode, plan: Plan, job: Job, source: Any,
                shared: Sequence[Any]) -> Any:
        size = len(_dumps(job))  # what the engine's serializer sends
        if not hasattr(self, "sizes"):
            self.sizes = {}
        self.sizes.setdefault(node.name, []).append(size)
        return super()._submit(node, plan, job, source, shared)  # type: ignore[misc]


@pytest.fixture()
def each_width() -> int:
    """How many calls the `each` of the conformance flow makes."""
    return 200


@pytest.fixture()
def slow_call() -> float:
    """Seconds the call beside a failing one would take."""
    return 30.0


@pytest.fixture()
def path(tmp_path: Path) -> str:
    return str(tmp_path / "marks.txt")


def _lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines() if os.path.exists(path) else []


@pytest.mark.parametrize("name", sorted(flows.ALIKE))
def test_results_events_and_merge_order_equal_local(remote: Any, each_width: int,
                                                    name: str) -> None:
    flow, inputs = flows.ALIKE[name]
    if name == "mapped":
        inputs = {"count": each_width}
    local, local_events = run_with(flow, LocalExecutor(), inputs)
    remote, remote_events = run_with(flow, remote, inputs)
    assert remote.output == local.output
    assert dict(remote.final_state) == dict(local.final_state)
    assert remote.supersteps == local.supersteps
    assert event_shape(remote_events) == event_shape(local_events)
    if name == "mapped":
        assert local.output["log"][:2] == ["0^3=0@0", "1^3=1@1"]  # plan (element) order
        assert len(local.output["log"]) == each_width
    if name == "fan":  # the slow branch finishes last and is still merged first
        assert remote.output["log"] == ["split1", "left", "right", "joined3"]


def test_retries_run_on_the_worker_and_each_attempt_once(remote: Any,
                                                         tmp_path: Path) -> None:
    results = {}
    for label, used in (("local", LocalExecutor()), ("remote", remote)):
        marks = str(tmp_path / f"{label}.txt")
        result, events = run_with(flows.retried, used, {"path": marks})
        results[label] = (result.output, _lines(marks),
                          [(e.attempt, type(e.error).__name__) for e in events
                           if isinstance(e, NodeRetrying)])
    assert results["remote"] == results["local"]
    assert results["remote"][0] == {"text": "ok after 3"}
    assert results["remote"][1] == ["attempt 1", "attempt 2", "attempt 3"]
    assert results["remote"][2] == [(1, "ConnectionError"), (2, "ConnectionError")]


def test_timeout_and_fallback_match_local(remote: Any, path: str) -> None:
    failures = []
    for used in (LocalExecutor(), remote):
        started = time.perf_counter()
        with pytest.raises(NodeError) as caught:
            flows.timed.with_options(executor=used).run(path=path)
        assert time.perf_counter() - started < 8
        failures.append((caught.value.node, caught.value.attempts,
                         type(caught.value.__cause__)))
        assert flows.rescued.with_options(executor=used).run(path=path).output == {
            "text": "rescued ValueError"}
    assert failures[0] == failures[1] == ("sleepy", 1, NodeTimeoutError)


def test_a_worker_crash_is_a_node_error_caused_by_ray_and_never_retried(
        remote: Any, lost_worker: type[BaseException], path: str) -> None:
    with pytest.raises(NodeError) as caught:
        flows.crashing.with_options(executor=remote).run(path=path)
    assert caught.value.node == "crash"
    assert isinstance(caught.value.__cause__, lost_worker)
    assert "crash" in str(caught.value)
    assert _lines(path) == ["crash"]  # Ray's own retries are off


def test_a_failure_cancels_the_rest_of_the_superstep(remote: Any, slow_call: float,
                                                     path: str) -> None:
    started = time.perf_counter()
    events: list[Any] = []
    with pytest.raises(NodeError) as caught:
        flows.failfast.with_options(executor=remote, on_event=events.append).run(
            path=path, slow=slow_call)
    assert caught.value.node == "fails_fast"
    failed = [e for e in events if isinstance(e, NodeFailed)]
    assert [(e.node, type(e.error)) for e in failed] == [("fails_fast", KeyError)]
    assert not any(isinstance(e, SuperStepEvent) for e in events)  # nothing was applied
    assert isinstance(caught.value.__cause__, KeyError)
    assert "worker traceback" in "".join(getattr(caught.value.__cause__, "__notes__", []))
    # The failure was raised before the slow sibling could have finished.
    assert time.perf_counter() - started < slow_call
    assert _lines(path) == []


def test_a_failed_superstep_applies_nothing_and_resumes_locally(
        remote: Any, path: str, tmp_path: Path) -> None:
    reference = flows.atomic.run(path=str(tmp_path / "ref.txt")).output
    Path(path + ".fail").write_text("fail", encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    on_ray = flows.atomic.with_options(thread_id="t1", checkpointer=store, executor=remote)
    with pytest.raises(NodeError) as caught:
        on_ray.run(path=path)
    assert caught.value.node == "fragile"
    os.remove(path + ".fail")
    resumed = flows.atomic.with_options(thread_id="t1", checkpointer=store).resume()
    # Had the sibling's write of the failed step been applied, "sibling" would appear twice.
    assert resumed.output == reference == {
        "done": ["first", "sibling", "fragile", "last saw 3"]}
    assert _lines(path)[0] == "first"


def test_only_declared_inputs_travel_and_shared_values_are_stored_once(
        remote: Any) -> None:
    remote.sizes.clear()
    assert flows.beside_big.with_options(executor=remote).run(count=3).output == {"n": 4}
    # The state holds 20 MB and a 600 KB text; the call gets `count` only.
    assert max(remote.sizes["tiny"]) < 2048
    remote.sizes.clear()
    remote.puts = 0
    out = flows.shared_doc.with_options(executor=remote).run(count=40).output
    assert out["log"] == [f"{i}:200000" for i in range(40)]
    assert remote.puts == 1  # the text given to 40 calls went into the store once
    assert len(remote.sizes["measure"]) == 40
    assert max(remote.sizes["measure"]) < 2048


def test_dependencies_travel_and_one_that_cannot_is_named(remote: Any) -> None:
    ok = flows.with_deps.with_options(executor=remote, context={"a": 1, "b": [2]})
    assert ok.run(n=1).output == {"n": 3}
    bad = flows.with_deps.with_options(executor=remote, context={"lock": threading.Lock()})
    with pytest.raises(ExecutorError) as caught:
        bad.run(n=1)
    assert caught.value.msg_id == "executor.deps_not_portable"
    assert "lock" in str(caught.value) and "lock" in caught.value.render("zh")


def test_code_that_differs_on_the_workers_is_a_clear_error(remote: Any, scratch: Path) -> None:
    name = f"drift_{uuid.uuid4().hex[:8]}"
    source = textwrap.dedent("""
        from typing import TypedDict
        from liteflow import START, flow, node

        class Num(TypedDict):
            n: int

        @node
        def bump(n: int) -> Num:
            return {"n": n + 1}

        @flow(output=Num)
        def drifting(n: int) -> None:
            START >> bump
    """)
    module_file = scratch / f"{name}.py"
    module_file.write_text(source, encoding="utf-8")
    module = __import__(name)
    # The workers will import a different body (and a longer file: no stale bytecode).
    module_file.write_text(source.replace("n + 1", "n + 1000 - 999"), encoding="utf-8")
    with pytest.raises(ExecutorError) as caught:
        module.drifting.with_options(executor=remote).run(n=1)
    assert caught.value.msg_id == "executor.code_differs"
    assert "drifting" in str(caught.value) and module.drifting.plan.fingerprint in str(
        caught.value)
    assert "工作节点" in caught.value.render("zh")




def test_events_reach_the_stream(remote: Any) -> None:
    got = list(flows.chain.with_options(executor=remote).stream(n=3))
    customs = [(e.node, e.name, e.data) for e in got if isinstance(e, CustomEvent)]
    assert customs == [("async_square", "squared", 8)]
    assert isinstance(got[-1], RunFinished) and got[-1].result.output == {"n": 64}


def test_a_remote_interrupt_pauses_and_resumes_locally(remote: Any, path: str,
                                                       tmp_path: Path) -> None:
    from liteflow.core import context

    if not hasattr(context, "NodeInterrupt"):
        pytest.skip("needs pausing for a person (Context.interrupt with a checkpointer)")
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    paused = flows.asking.with_options(thread_id="i1", checkpointer=store,
                                       executor=remote).run(path=path)
    assert paused.status == "interrupted"
    assert paused.interrupt == {"q": "ok?"}
    done = flows.asking.with_options(thread_id="i1", checkpointer=store).resume("yes")
    assert done.output == {"text": "answer yes", "done": ["beside"]}
    assert _lines(path).count("beside") == 1  # the finished sibling was kept, not re-run
