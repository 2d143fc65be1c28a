"""`RayExecutor` on a real two-node Ray cluster on loopback, against `LocalExecutor`.

Runs only inside a loopback-only network namespace (see `conftest.py`); one cluster is
shared by the whole module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from executor_support import HERE, unavailable

try:
    import ray
    from ray.cluster_utils import Cluster
except ImportError:
    unavailable("Ray is not installed (pip install 'liteflow[ray]')")

import conformance_flows as flows
from conformance import *  # noqa: F403  (the shared suite runs here against Ray)
from conformance import Recording, _lines

from liteflow.core.errors import ExecutorError
from liteflow.executors import RayExecutor

ROOT = HERE.parents[1]
# Modules written by a test and imported by driver and workers alike.
SCRATCH = Path(tempfile.mkdtemp(prefix="liteflow-ray-"))


class RecordingRay(Recording, RayExecutor):
    pass


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
def remote(cluster: Any) -> Iterator[RecordingRay]:
    with RecordingRay(address=cluster.address, wait_timeout=60) as made:
        yield made


@pytest.fixture()
def lost_worker() -> type[BaseException]:
    return ray.exceptions.RayError  # type: ignore[no-any-return]


@pytest.fixture()
def scratch() -> Path:
    return SCRATCH


def test_every_address_of_the_cluster_is_loopback(remote: RecordingRay) -> None:
    assert [name for _, name in socket.if_nameindex()] == ["lo"]
    addresses = {n["NodeManagerAddress"] for n in ray.nodes()}
    assert addresses == {"127.0.0.1"}
    assert len(ray.nodes()) == 2


def test_node_metadata_sets_ray_options(remote: RecordingRay) -> None:
    where = flows.placement.with_options(executor=remote).run(n=1).output["where"]
    assert where["resources"] == {"CPU": 0.5, "special": 1.0}


def test_a_custom_resource_pins_a_node_to_the_second_node(remote: RecordingRay) -> None:
    b = next(n["NodeID"] for n in ray.nodes() if "nodeB" in n["Resources"])
    where = flows.pinned.with_options(executor=remote).run(n=1).output["where"]
    assert where["node"] == b
    assert where["node"] != ray.get_runtime_context().get_node_id()


def test_bad_or_impossible_options_are_clear_errors_not_hangs(remote: RecordingRay) -> None:
    started = time.perf_counter()
    with pytest.raises(ExecutorError) as caught:
        flows.gpu.with_options(executor=remote).run(n=1)
    assert caught.value.msg_id == "executor.infeasible"
    assert "wants_gpu" in str(caught.value) and "GPU" in str(caught.value)
    assert "wants_gpu" in caught.value.render("zh") and "集群" in caught.value.render("zh")
    with pytest.raises(ExecutorError) as caught:
        flows.ray_retries.with_options(executor=remote).run(n=1)
    assert caught.value.msg_id == "executor.bad_options"
    assert "max_retries" in str(caught.value) and "wants_retries" in str(caught.value)
    assert time.perf_counter() - started < 5


DRIVER = """
import sys
import conformance_flows as flows
from liteflow.executors import RayExecutor

executor = RayExecutor(address=sys.argv[1])
app = flows.held.with_options(thread_id="k1", checkpointer=sys.argv[2], executor=executor)
app.run(path=sys.argv[3])
"""


def test_a_driver_killed_mid_run_resumes_locally(cluster: Any, remote: RecordingRay,
                                                 tmp_path: Path) -> None:
    reference_marks = tmp_path / "reference.txt"
    (tmp_path / "reference.txt.release").touch()
    reference = flows.held.run(path=str(reference_marks)).output
    marks = str(tmp_path / "marks.txt")
    store = f"sqlite:///{tmp_path / 'runs.db'}"
    script = SCRATCH / "killed_driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script), cluster.address, store, marks],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "holding" not in _lines(marks):  # superstep 1 is committed, 2 runs remotely
            assert child.poll() is None, child.communicate()[0][-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    Path(marks + ".release").touch()
    resumed = flows.held.with_options(thread_id="k1", checkpointer=store).resume()
    assert resumed.output == reference == {"done": ["first", "held", "last saw 2"]}
    assert _lines(marks).count("first") == 1  # committed on Ray, not run again locally


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
