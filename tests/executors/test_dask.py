"""`DaskExecutor` on a real local Dask cluster (two worker processes on 127.0.0.1),
against `LocalExecutor`: the shared conformance suite plus Dask's own options."""

from __future__ import annotations

import os
import sys
import tempfile
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
    with DaskExecutor(cluster_kwargs={"n_workers": 1}) as own:
        assert flows.chain.with_options(executor=own).run(n=1).output == {"n": 16}
        cluster: Any = own.cluster
    assert own.client is None and cluster.status.name == "closed"
    with pytest.raises(ExecutorError) as caught:
        flows.chain.with_options(executor=own).run(n=1)
    assert caught.value.msg_id == "executor.closed"
