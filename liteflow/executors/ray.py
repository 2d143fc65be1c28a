"""`RayExecutor`: each node call of a superstep runs as a Ray task (extra `liteflow[ray]`)."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.errors import ExecutorError
from ..plan import Plan, PlanNode
from ._remote import Job, Outcome, RemoteExecutor, run_job

__all__ = ["RayExecutor"]

# The options a node may set in `metadata={"ray": {...}}`. Ray's own retries stay off:
# the attempt loop runs on the worker, so a crash must not re-run a side effect.
RAY_OPTIONS = ("num_cpus", "num_gpus", "resources", "memory", "accelerator_type",
               "scheduling_strategy", "runtime_env", "label_selector")
_ONLY_ONCE = {"max_retries": 0, "retry_exceptions": False}


def _ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ExecutorError("executor.not_installed", executor="RayExecutor", package="ray",
                            extra="ray") from None


def _load_plan(box: list[Any]) -> Plan:
    """On a worker: the shipped plan (boxed in a list so that Ray does not resolve it for
    every call; each worker fetches it once, see `_remote._plan`)."""
    plan: Plan = _ray().get(box[0], timeout=120)
    return plan


class RayExecutor(RemoteExecutor):
    """Runs every node call as a Ray task, the whole attempt loop on the worker.

    `address`: a running cluster (`"auto"`, `"ray://host:10001"`, ...); None starts a local
    Ray unless one is already initialized in this process. A Ray this executor started is
    shut down by `close()` (or leaving a `with` block); one it found is left running.
    `init_kwargs` go to `ray.init`, `runtime_env` is the job's runtime environment.
    `num_cpus_per_call`: the CPUs a call reserves unless its node says otherwise.
    """

    name = "RayExecutor"

    def __init__(self, address: str | None = None, init_kwargs: Mapping[str, Any] | None = None,
                 runtime_env: Mapping[str, Any] | None = None, *,
                 num_cpus_per_call: float = 1, wait_timeout: float | None = None) -> None:
        super().__init__(wait_timeout=wait_timeout)
        self.ray = _ray()
        self.address = address
        self.init_kwargs = dict(init_kwargs or {})
        self.runtime_env = dict(runtime_env) if runtime_env is not None else None
        self.num_cpus_per_call = num_cpus_per_call
        self.owns_ray = False
        self._task: Any = None
        self._options: dict[tuple[str, int], Any] = {}  # the remote function of each node
        self._totals: dict[str, float] | None = None

    def _start(self) -> None:
        if self._task is not None:
            return
        ray = self.ray
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True,
                                      **self.init_kwargs}
            if self.runtime_env is not None:
                kwargs["runtime_env"] = self.runtime_env
            ray.init(address=self.address, **kwargs)
            self.owns_ray = True
        self._task = ray.remote(**_ONLY_ONCE)(run_job)

    def close(self) -> None:
        """Shut down the Ray this executor started (never one it found running)."""
        super().close()
        if self.owns_ray and self.ray.is_initialized():
            self.ray.shutdown()
        self.owns_ray = False
        self._task = None
        self._sources.clear()
        self._options.clear()

    def _ship_plan(self, plan: Plan) -> tuple[Callable[[Any], Plan], Any]:
        return _load_plan, [self.ray.put(plan)]

    def _put(self, value: Any) -> Any:
        return self.ray.put(value)

    def _submit(self, node: PlanNode, plan: Plan, job: Job, source: Any,
                shared: Sequence[Any]) -> Any:
        key = (job.fingerprint, node.index)
        task = self._options.get(key)
        if task is None:
            task = self._options[key] = self._task.options(**self._node_options(node, plan))
        loader, box = source
        return task.remote(job, loader, box, *shared)

    def _node_options(self, node: PlanNode, plan: Plan) -> dict[str, Any]:
        """The node's `metadata["ray"]`, checked: known keys only, no retries of Ray's own,
        and no more of any resource than the whole cluster has (it would wait forever)."""
        given = node.metadata.get("ray") or {}
        allowed = ", ".join(RAY_OPTIONS)

        def bad(error: str) -> ExecutorError:
            return ExecutorError("executor.bad_options", flow=plan.name, node=node.name,
                                 section="ray", error=error, allowed=allowed)

        if not isinstance(given, Mapping):
            raise bad(f"expected a dict, got {type(given).__name__}")
        unknown = [k for k in given if k not in RAY_OPTIONS]
        if unknown:
            raise bad(f"unknown option {unknown[0]!r}")
        options: dict[str, Any] = {"num_cpus": self.num_cpus_per_call, **given, **_ONLY_ONCE,
                                   "name": f"{plan.name}.{node.name}"}
        if self.runtime_env is not None and not self.owns_ray:
            # A Ray found running has its own job environment: this one goes on each task.
            options.setdefault("runtime_env", self.runtime_env)
        wanted: dict[str, Any] = {"CPU": options.get("num_cpus"), "GPU": options.get("num_gpus"),
                                  **(options.get("resources") or {})}
        if self._totals is None:
            self._totals = {k: float(v) for k, v in self.ray.cluster_resources().items()}
        for resource, amount in wanted.items():
            if not amount:
                continue
            if not isinstance(amount, int | float):
                raise bad(f"{resource}={amount!r} is not a number")
            have = self._totals.get(resource, 0.0)
            if amount > have:  # the cluster may have grown since: look again first
                self._totals = {k: float(v) for k, v in self.ray.cluster_resources().items()}
                have = self._totals.get(resource, 0.0)
            if amount > have:
                raise ExecutorError("executor.infeasible", flow=plan.name, node=node.name,
                                    resource=resource, wanted=amount, available=have)
        return options

    def _watch(self, handle: Any) -> asyncio.Future[Outcome]:
        return asyncio.wrap_future(handle.future())

    def _cancel(self, handles: Sequence[Any]) -> None:
        for handle in handles:
            try:
                self.ray.cancel(handle, force=False)
            except Exception:  # already finished, or the worker is gone
                pass
