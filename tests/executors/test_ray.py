"""`RayExecutor` on a real two-node Ray cluster on loopback, against `LocalExecutor`.

Runs only inside a loopback-only network namespace (see `conftest.py`); one cluster is
shared by the whole module.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from executor_support import HERE, event_shape, run_with, unavailable

try:
    import ray
    from ray.cluster_utils import Cluster
except ImportError:
    unavailable("Ray is not installed (pip install 'liteflow[ray]')")

import conformance_flows as flows

from liteflow.core.errors import ExecutorError, NodeError, NodeTimeoutError
from liteflow.core.events import NodeRetrying
from liteflow.executors import LocalExecutor, RayExecutor
from liteflow.executors._remote import Job
from liteflow.plan import Plan, PlanNode

ROOT = HERE.parents[1]
# Modules written by a test and imported by driver and workers alike.
SCRATCH = Path(tempfile.mkdtemp(prefix="liteflow-ray-"))


class Recording(RayExecutor):
    """A `RayExecutor` that also notes what it sends: each job's pickled size by node, and
    how many values it stores."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: dict[str, list[int]] = {}
        self.puts = 0

    def _put(self, value: Any) -> Any:
        self.puts += 1
        return super()._put(value)

    def _submit(self, node: PlanNode, plan: Plan, job: Job, source: Any,
                shared: Sequence[Any]) -> Any:
        size = len(ray.cloudpickle.dumps((job, source, *shared)))
        self.sizes.setdefault(node.name, []).append(size)
        return super()._submit(node, plan, job, source, shared)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    # Workers import the flows by module path, like on a real cluster.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), str(ROOT), str(SCRATCH), os.environ.get("PYTHONPATH", "")])
    sys.path.insert(0, str(SCRATCH))
    made = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 2, "resources": {"special": 2}, "include_dashboard": False})
    made.add_node(num_cpus=1, resources={"nodeB": 1})
    made.wait_for_nodes()
    yield made
    ray.shutdown()
    made.shutdown()


@pytest.fixture(scope="module")
def executor(cluster: Any) -> Iterator[Recording]:
    with Recording(address=cluster.address, wait_timeout=60) as made:
        yield made


@pytest.fixture()
def path(tmp_path: Path) -> str:
    return str(tmp_path / "marks.txt")


def _lines(path: str) -> list[str]:
    return Path(path).read_text(encoding="utf-8").splitlines() if os.path.exists(path) else []


def test_every_address_of_the_cluster_is_loopback(executor: Recording) -> None:
    assert [name for _, name in socket.if_nameindex()] == ["lo"]
    addresses = {n["NodeManagerAddress"] for n in ray.nodes()}
    assert addresses == {"127.0.0.1"}
    assert len(ray.nodes()) == 2


@pytest.mark.parametrize("name", sorted(flows.ALIKE))
def test_results_events_and_merge_order_equal_local(executor: Recording, name: str) -> None:
    flow, inputs = flows.ALIKE[name]
    local, local_events = run_with(flow, LocalExecutor(), inputs)
    remote, remote_events = run_with(flow, executor, inputs)
    assert remote.output == local.output
    assert dict(remote.final_state) == dict(local.final_state)
    assert remote.supersteps == local.supersteps
    assert event_shape(remote_events) == event_shape(local_events)
    if name == "mapped":
        assert local.output["log"][:2] == ["0^3=0@0", "1^3=1@1"]  # plan (element) order
        assert len(local.output["log"]) == 200
    if name == "fan":  # the slow branch finishes last and is still merged first
        assert remote.output["log"] == ["split1", "left", "right", "joined3"]


def test_retries_run_on_the_worker_and_each_attempt_once(executor: Recording,
                                                         tmp_path: Path) -> None:
    results = {}
    for label, used in (("local", LocalExecutor()), ("ray", executor)):
        marks = str(tmp_path / f"{label}.txt")
        result, events = run_with(flows.retried, used, {"path": marks})
        results[label] = (result.output, _lines(marks),
                          [(e.attempt, type(e.error).__name__) for e in events
                           if isinstance(e, NodeRetrying)])
    assert results["ray"] == results["local"]
    assert results["ray"][0] == {"text": "ok after 3"}
    assert results["ray"][1] == ["attempt 1", "attempt 2", "attempt 3"]
    assert results["ray"][2] == [(1, "ConnectionError"), (2, "ConnectionError")]


def test_timeout_and_fallback_match_local(executor: Recording, path: str) -> None:
    failures = []
    for used in (LocalExecutor(), executor):
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
        executor: Recording, path: str) -> None:
    with pytest.raises(NodeError) as caught:
        flows.crashing.with_options(executor=executor).run(path=path)
    assert caught.value.node == "crash"
    assert isinstance(caught.value.__cause__, ray.exceptions.RayError)
    assert "crash" in str(caught.value)
    assert _lines(path) == ["crash"]  # Ray's own retries are off


def test_a_failure_cancels_the_rest_of_the_superstep(executor: Recording, path: str) -> None:
    started = time.perf_counter()
    with pytest.raises(NodeError) as caught:
        flows.failfast.with_options(executor=executor).run(path=path)
    assert caught.value.node == "fails_fast"
    assert isinstance(caught.value.__cause__, KeyError)
    assert "worker traceback" in "".join(getattr(caught.value.__cause__, "__notes__", []))
    assert time.perf_counter() - started < 10  # the 30 s call did not hold the step
    assert _lines(path) == []


def test_a_failed_superstep_applies_nothing_and_resumes_locally(
        executor: Recording, path: str, tmp_path: Path) -> None:
    reference = flows.atomic.run(path=str(tmp_path / "ref.txt")).output
    Path(path + ".fail").write_text("fail", encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    on_ray = flows.atomic.with_options(thread_id="t1", checkpointer=store, executor=executor)
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
        executor: Recording) -> None:
    executor.sizes.clear()
    assert flows.beside_big.with_options(executor=executor).run(count=3).output == {"n": 4}
    # The state holds 20 MB and a 600 KB text; the call gets `count` only.
    assert max(executor.sizes["tiny"]) < 2048
    executor.sizes.clear()
    executor.puts = 0
    out = flows.shared_doc.with_options(executor=executor).run(count=40).output
    assert out["log"] == [f"{i}:200000" for i in range(40)]
    assert executor.puts == 1  # the text given to 40 calls went into the store once
    assert len(executor.sizes["measure"]) == 40
    assert max(executor.sizes["measure"]) < 2048


def test_node_metadata_sets_ray_options(executor: Recording) -> None:
    where = flows.placement.with_options(executor=executor).run(n=1).output["where"]
    assert where["resources"] == {"CPU": 0.5, "special": 1.0}


def test_a_custom_resource_pins_a_node_to_the_second_node(executor: Recording) -> None:
    b = next(n["NodeID"] for n in ray.nodes() if "nodeB" in n["Resources"])
    where = flows.pinned.with_options(executor=executor).run(n=1).output["where"]
    assert where["node"] == b
    assert where["node"] != ray.get_runtime_context().get_node_id()


def test_bad_or_impossible_options_are_clear_errors_not_hangs(executor: Recording) -> None:
    started = time.perf_counter()
    with pytest.raises(ExecutorError) as caught:
        flows.gpu.with_options(executor=executor).run(n=1)
    assert caught.value.msg_id == "executor.infeasible"
    assert "wants_gpu" in str(caught.value) and "GPU" in str(caught.value)
    assert "wants_gpu" in caught.value.render("zh") and "集群" in caught.value.render("zh")
    with pytest.raises(ExecutorError) as caught:
        flows.ray_retries.with_options(executor=executor).run(n=1)
    assert caught.value.msg_id == "executor.bad_options"
    assert "max_retries" in str(caught.value) and "wants_retries" in str(caught.value)
    assert time.perf_counter() - started < 5


def test_dependencies_travel_and_one_that_cannot_is_named(executor: Recording) -> None:
    ok = flows.with_deps.with_options(executor=executor, context={"a": 1, "b": [2]})
    assert ok.run(n=1).output == {"n": 3}
    bad = flows.with_deps.with_options(executor=executor, context={"lock": threading.Lock()})
    with pytest.raises(ExecutorError) as caught:
        bad.run(n=1)
    assert caught.value.msg_id == "executor.deps_not_portable"
    assert "lock" in str(caught.value) and "lock" in caught.value.render("zh")


def test_code_that_differs_on_the_workers_is_a_clear_error(executor: Recording) -> None:
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
    module_file = SCRATCH / f"{name}.py"
    module_file.write_text(source, encoding="utf-8")
    module = __import__(name)
    # The workers will import a different body (and a longer file: no stale bytecode).
    module_file.write_text(source.replace("n + 1", "n + 1000 - 999"), encoding="utf-8")
    with pytest.raises(ExecutorError) as caught:
        module.drifting.with_options(executor=executor).run(n=1)
    assert caught.value.msg_id == "executor.code_differs"
    assert "drifting" in str(caught.value) and module.drifting.plan.fingerprint in str(
        caught.value)
    assert "工作节点" in caught.value.render("zh")


def test_an_executor_given_an_address_owns_its_connection_only(cluster: Any) -> None:
    ray.shutdown()
    own = RayExecutor(address=cluster.address)
    assert flows.chain.with_options(executor=own).run(n=1).output == {"n": 16}
    assert own.owns_ray and ray.is_initialized()
    found = RayExecutor()  # Ray is up: used, not owned
    assert flows.chain.with_options(executor=found).run(n=1).output == {"n": 16}
    found.close()
    assert ray.is_initialized()
    own.close()
    assert not ray.is_initialized()
    with pytest.raises(ExecutorError) as caught:
        flows.chain.with_options(executor=own).run(n=1)
    assert caught.value.msg_id == "executor.closed"
    ray.init(address=cluster.address)  # for what follows in this module
