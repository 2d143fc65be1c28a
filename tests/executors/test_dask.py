"""`DaskExecutor` on a real local Dask cluster (two worker processes on 127.0.0.1),
against `LocalExecutor`: the shared conformance suite plus Dask's own options."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from executor_support import HERE, unavailable

try:
    import distributed
except ImportError:
    unavailable("Dask is not installed (pip install 'liteflow[dask]')")

import conformance_flows as flows
from conformance import *  # noqa: F403  (the shared suite runs here against Dask)
from conformance import Recording

from liteflow.core.errors import ExecutorError
from liteflow.executors import DaskExecutor

ROOT = HERE.parents[1]
SCRATCH = Path(tempfile.mkdtemp(prefix="liteflow-dask-"))


class RecordingDask(Recording, DaskExecutor):
    pass


@pytest.fixture(scope="module")
def remote() -> Iterator[RecordingDask]:
    # Workers import the flows by module path, like on a real cluster.
    saved = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), str(ROOT), str(SCRATCH), saved])
    sys.path.insert(0, str(SCRATCH))
    try:
        with RecordingDask(wait_timeout=60, cluster_kwargs={"n_workers": 2}) as made:
            yield made
    finally:
        os.environ["PYTHONPATH"] = saved
        sys.path.remove(str(SCRATCH))


@pytest.fixture()
def each_width() -> int:
    return 60  # a Dask task costs several times a Ray task: the suite stays short


@pytest.fixture()
def slow_call() -> float:
    return 20.0  # Dask cannot stop a running call: it holds a worker that long


@pytest.fixture()
def lost_worker() -> type[BaseException]:
    return distributed.KilledWorker  # type: ignore[no-any-return]


@pytest.fixture()
def scratch() -> Path:
    return SCRATCH


def test_the_local_cluster_listens_on_loopback_only(remote: RecordingDask) -> None:
    info = remote.client.scheduler_info()
    addresses = [info["address"], *info["workers"]]
    assert len(info["workers"]) == 2
    assert all(a.startswith("tcp://127.0.0.1:") for a in addresses), addresses
    assert remote.cluster.scheduler.http_server.address == "127.0.0.1"


def test_a_call_no_worker_can_take_times_out_and_applies_nothing(remote: RecordingDask) -> None:
    @flows.node(metadata={"dask": {"resources": {"absent": 1}}})
    def stranded(n: int) -> flows.Num:
        return {"n": n}

    @flows.flow(output=flows.Num)
    def stranded_flow(n: int) -> None:
        flows.START >> stranded

    remote.wait_timeout = 1.5
    try:
        started = time.perf_counter()
        with pytest.raises(ExecutorError) as caught:
            stranded_flow.with_options(executor=remote).run(n=1)
    finally:
        remote.wait_timeout = 60
    assert caught.value.msg_id == "executor.wait_timeout"
    assert "stranded" in str(caught.value) and "stranded" in caught.value.render("zh")
    assert time.perf_counter() - started < 10


def test_unknown_dask_options_are_a_clear_error(remote: RecordingDask) -> None:
    @flows.node(metadata={"dask": {"num_cpus": 1}})
    def odd(n: int) -> flows.Num:
        return {"n": n}

    @flows.flow(output=flows.Num)
    def odd_flow(n: int) -> None:
        flows.START >> odd

    with pytest.raises(ExecutorError) as caught:
        odd_flow.with_options(executor=remote).run(n=1)
    assert caught.value.msg_id == "executor.bad_options"
    assert "num_cpus" in str(caught.value) and "odd" in caught.value.render("zh")


def test_closing_shuts_the_cluster_it_started(remote: RecordingDask) -> None:
    # Last in this module: it closes the shared executor.
    cluster: Any = remote.cluster
    assert remote.client.status == "running" and cluster.status.name == "running"
    remote.close()
    assert remote.client is None and cluster.status.name == "closed"
    with pytest.raises(ExecutorError) as caught:
        flows.chain.with_options(executor=remote).run(n=1)
    assert caught.value.msg_id == "executor.closed"
