"""`DaskExecutor`: each node call of a superstep runs as a Dask task (extra `liteflow[dask]`)."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.errors import ExecutorError
from ..plan import Plan, PlanNode
from ._remote import Job, Outcome, RemoteExecutor, run_job

__all__ = ["DaskExecutor"]

# The options a node may set in `metadata={"dask": {...}}` (those of `Client.submit`).
DASK_OPTIONS = ("resources", "workers", "allow_other_workers", "priority")


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ExecutorError("executor.not_installed", executor="DaskExecutor",
                            package="distributed", extra="dask") from None


def _same(plan: Plan) -> Plan:
    """On a worker: Dask hands over the scattered plan itself, kept in the worker's memory."""
    return plan


class DaskExecutor(RemoteExecutor):
    """Runs every node call as a Dask task, the whole attempt loop on the worker.

    `address`: a running scheduler (`"tcp://host:8786"`); None starts a `LocalCluster` on
    127.0.0.1 (`cluster_kwargs` go to it) that `close()` shuts down again. Dask never
    retries a task here, and on a cluster this executor starts a worker that dies fails
    its task at once (`allowed-failures` 0): a side effect never runs twice.
    """

    name = "DaskExecutor"

    def __init__(self, address: str | None = None, *,
                 cluster_kwargs: Mapping[str, Any] | None = None,
                 wait_timeout: float | None = None) -> None:
        super().__init__(wait_timeout=wait_timeout)
        self.distributed = _module("distributed")
        self.address = address
        self.cluster_kwargs = dict(cluster_kwargs or {})
        self.client: Any = None
        self.cluster: Any = None

    def _start(self) -> None:
        if self.client is not None:
            return
        distributed = self.distributed
        if self.address is not None:
            self.client = distributed.Client(self.address)
            return
        dask = _module("dask")
        kwargs = {"n_workers": 2, "threads_per_worker": 1, "processes": True,
                  "host": "127.0.0.1", "dashboard_address": "127.0.0.1:0", **self.cluster_kwargs}
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            self.cluster = distributed.LocalCluster(**kwargs)
        self.client = distributed.Client(self.cluster)

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started it."""
        super().close()
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
        self._sources.clear()

    def _ship_plan(self, plan: Plan) -> tuple[Callable[[Any], Plan], Any]:
        # On every worker: each needs it, and one that dies does not take the plan along.
        return _same, self.client.scatter(plan, hash=False, broadcast=True)

    def _kept(self, source: tuple[Callable[[Any], Plan], Any]) -> bool:
        return bool(source[1].status == "finished")

    def _put(self, value: Any) -> Any:
        return self.client.scatter(value, hash=False)

    def _submit(self, node: PlanNode, plan: Plan, job: Job, source: Any,
                shared: Sequence[Any]) -> Any:
        given = node.metadata.get("dask") or {}
        unknown = [k for k in given if k not in DASK_OPTIONS] if isinstance(given, Mapping) \
            else ["(not a dict)"]
        if unknown:
            raise ExecutorError("executor.bad_options", flow=plan.name, node=node.name,
                                section="dask", error=f"unknown option {unknown[0]!r}",
                                allowed=", ".join(DASK_OPTIONS))
        loader, stored = source
        key = f"{plan.name}.{node.name}-{uuid.uuid4().hex}"
        return self.client.submit(run_job, job, loader, stored, *shared, key=key, pure=False,
                                  retries=0, **given)

    def _watch(self, handle: Any) -> asyncio.Future[Outcome]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Outcome] = loop.create_future()

        def settle(result: Any, error: BaseException | None) -> None:
            if waiter.done():
                return
            if error is not None:
                waiter.set_exception(error)
            else:
                waiter.set_result(result)

        def done(future: Any) -> None:  # on the client's thread
            try:
                if future.status == "finished":
                    outcome = future.result()
                    loop.call_soon_threadsafe(settle, outcome, None)
                    return
                error = future.exception() if future.status == "error" else None
                lost = error or asyncio.CancelledError(future.status)
                loop.call_soon_threadsafe(settle, None, lost)
            except BaseException as exc:
                loop.call_soon_threadsafe(settle, None, exc)

        handle.add_done_callback(done)
        return waiter

    def _cancel(self, handles: Sequence[Any]) -> None:
        try:
            self.client.cancel(list(handles))
        except Exception:  # the client is closing, or the calls are done
            pass
