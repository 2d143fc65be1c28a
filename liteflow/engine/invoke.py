"""One node call: input gathering, type checks, retries, timeout, fallback.

Two paths, no more: `call_simple` runs a simple sync node (no retry, no timeout) inline,
with no awaiting and no thread hop; `NodeCall.run` is the general path on the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Awaitable, Callable, Mapping
from threading import get_ident
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryCallState

from ..core.context import CallCell, Context, RunInfo, current_call
from ..core.deep_typecheck import mismatch_error
from ..core.errors import (
    NodeError,
    NodeInputError,
    NodeTimeoutError,
    NodeTypeError,
    RetryPredicateError,
)
from ..core.events import NodeFailed, NodeFinished, NodeRetrying, NodeStarted
from ..core.logger import log_node_failed, log_node_retrying
from ..core.state import State
from ..core.suggest import closest
from ..core.typecheck import describe_value
from ..plan import PlanNode, RetryPredicateFailed
from .threads import background

__all__ = ["NodeCall", "Offload", "check_outputs", "gather_inputs", "restored_call"]

T = TypeVar("T")
Offload = Callable[[Callable[[], T]], Awaitable[T]]


def gather_inputs(node: PlanNode, values: Mapping[str, Any], flow: str) -> dict[str, Any]:
    """The node's declared inputs from the state, type-checked; nothing else is passed."""
    if node.takes_state:
        return {"state": State(values)}
    kwargs: dict[str, Any] = {}
    for inp in node.inputs:
        try:
            value = values[inp.key]
        except KeyError:
            if inp.required:
                raise NodeInputError(flow=flow, node=node.name, key=inp.key) from None
            continue
        check = inp.check
        if check is not None and not check(value):
            raise mismatch_error(NodeTypeError, "error.node_input_type", inp.hint, inp.type_name,
                                 value, inp.key, flow=flow, node=node.name)
        kwargs[inp.param] = value
    return kwargs


def check_outputs(node: PlanNode, out: Any, flow: str) -> dict[str, Any]:
    """Validate what a node returned against its declared outputs."""
    if out is None:
        if node.required_outputs:
            raise NodeTypeError("error.node_output_missing", flow=flow, node=node.name,
                                key=node.required_outputs[0])
        return {}
    if type(out) is not dict:
        if not isinstance(out, Mapping):
            raise NodeTypeError("error.node_output_not_dict", flow=flow, node=node.name,
                                actual=describe_value(out))
        out = dict(out)
    if node.open_outputs:
        return out  # type: ignore[no-any-return]
    outputs = node.outputs
    for key, value in out.items():
        spec = outputs.get(key)
        if spec is None:
            raise _undeclared(node, key, out, flow)
        check = spec.check
        if check is not None and not check(value):
            raise mismatch_error(NodeTypeError, "error.node_output_type", spec.hint,
                                 spec.type_name, value, key, flow=flow, node=node.name)
    for key in node.required_outputs:
        if key not in out:
            raise NodeTypeError("error.node_output_missing", flow=flow, node=node.name, key=key)
    return out  # type: ignore[no-any-return]


def _undeclared(node: PlanNode, key: str, out: Mapping[str, Any], flow: str) -> NodeTypeError:
    """The error for an undeclared returned key: a typo of a declared key not returned is
    named as one (`txet` for `text`), else the declared keys are listed."""
    missing = [k for k in node.outputs if k not in out]
    found = closest(key, missing)
    if found is not None:
        return NodeTypeError("error.node_misspelled_key", flow=flow, node=node.name, key=key,
                             missing=", ".join(missing), suggestion=found)
    return NodeTypeError("error.node_undeclared_key", flow=flow, node=node.name, key=key,
                         declared=", ".join(node.outputs) or "-")


def call_simple(node: PlanNode, kwargs: dict[str, Any], superstep: int,
                run: RunInfo, cell: CallCell | None = None, instance: int = 0) -> dict[str, Any]:
    """One attempt of a simple sync node, inline: the hot path of chains and loops.

    `cell`: the caller's own idle `CallCell` (a runner's or a pool worker's), if it has one;
    `instance`: the element's index when an `each` maps the node.
    """
    bus = run.bus
    started = _started(node, superstep, run) if bus.active else 0.0
    hooks = run.hooks
    handle = None if hooks is None else hooks.node_started(node.name, superstep, instance)
    if node.context_param is not None:
        kwargs[node.context_param] = Context(run, node.name, superstep, 1, instance)
    token = None
    if cell is None:
        cell = current_call.get()
        if cell is None or cell.busy or cell.owner != get_ident():
            cell = CallCell()
            token = current_call.set(cell)
    cell.run = run
    cell.node = node.name
    cell.superstep = superstep
    cell.attempt = 1
    cell.instance = instance
    cell.busy = True
    try:  # (a `try` costs nothing until something is raised)
        try:
            out = node.fn(**kwargs)
        except NodeTypeError:
            raise
        except Exception as exc:
            out = NodeCall(node, kwargs, superstep, run, instance)._fallback_sync(exc)
            if handle is not None:
                handle = hooks.fell_back(handle)
        finally:
            cell.busy = False
            if token is not None:
                current_call.reset(token)
        out = check_outputs(node, out, run.flow)
    except BaseException as error:
        if handle is not None:
            hooks.node_ended(node.name, handle, 1, error)
        raise
    if handle is not None:
        hooks.node_ended(node.name, handle, 1)
    if started:
        _finished(node, superstep, run, started, out)
    return out


def _started(node: PlanNode, superstep: int, run: RunInfo) -> float:
    run.bus.emit(NodeStarted(run.flow, run.run_id, node.name, superstep))
    return time.perf_counter()


def _finished(node: PlanNode, superstep: int, run: RunInfo, started: float,
              out: Mapping[str, Any], attempts: int = 1) -> None:
    run.bus.emit(NodeFinished(run.flow, run.run_id, node.name, superstep,
                              time.perf_counter() - started, out, attempts))


def restored_call(node: PlanNode, superstep: int, run: RunInfo, instance: int,
                  out: Mapping[str, Any]) -> None:
    """Tell listeners and hooks of a call whose outputs were kept from before the run
    stopped (it does not run again)."""
    if run.bus.active:
        run.bus.emit(NodeFinished(run.flow, run.run_id, node.name, superstep, 0.0, out, 0,
                                  restored=True))
    if run.hooks is not None:
        run.hooks.node_restored(node.name, superstep, instance)


def cached_call(node: PlanNode, superstep: int, run: RunInfo, out: Mapping[str, Any]) -> None:
    """Tell listeners and hooks of a call answered from the node cache (it did not run)."""
    if run.bus.active:
        run.bus.emit(NodeFinished(run.flow, run.run_id, node.name, superstep, 0.0, out, 0,
                                  cached=True))
    if run.hooks is not None:
        run.hooks.node_cached(node.name)


class NodeCall:
    """A node ready to run: its plan entry and only its declared inputs."""

    __slots__ = ("instance", "kwargs", "node", "run_info", "superstep")

    def __init__(self, node: PlanNode, kwargs: dict[str, Any], superstep: int,
                 run_info: RunInfo, instance: int = 0) -> None:
        self.node = node
        self.kwargs = kwargs
        self.superstep = superstep
        self.run_info = run_info
        self.instance = instance

    # -- the inline path -------------------------------------------------------------

    def run_sync(self) -> dict[str, Any]:
        """Run a simple sync node in the calling thread."""
        return call_simple(self.node, self.kwargs, self.superstep, self.run_info,
                           instance=self.instance)

    def _fallback_sync(self, exc: Exception) -> Any:
        fallback = self.node.fallback
        if fallback is None:
            raise self._failure(exc, 1) from exc
        try:
            return fallback(**self._fallback_kwargs(exc))
        except Exception as second:
            raise self._failure(second, 1) from second

    # -- the general path ------------------------------------------------------------

    async def run(self, offload: Offload[Any] | None = None) -> dict[str, Any]:
        """Run with retries, timeout and fallback; sync functions go to `offload` if given."""
        node = self.node
        run = self.run_info
        started = self._started() if run.bus.active else 0.0
        hooks = run.hooks
        handle = None if hooks is None else hooks.node_started(node.name, self.superstep,
                                                               self.instance)
        policy = node.retry
        attempt = 1
        try:
            try:
                if policy is None:
                    out = await self._attempt(1, offload)
                else:
                    retrying = AsyncRetrying(stop=policy.stop, wait=policy.wait,
                                             retry=policy.retry, reraise=True,
                                             sleep=asyncio.sleep,
                                             before_sleep=self._before_sleep)
                    async for trial in retrying:
                        with trial:
                            attempt = trial.retry_state.attempt_number
                            out = await self._attempt(attempt, offload)
            except NodeTypeError:
                raise
            except RetryPredicateFailed as bad:  # a bug in the predicate: no fallback hides it
                raise self._failure(bad.error, attempt, bad.failure) from bad.error
            except Exception as exc:
                out = await self._fallback(exc, attempt)
                if handle is not None:
                    handle = hooks.fell_back(handle)
            out = check_outputs(node, out, run.flow)
        except BaseException as error:
            if handle is not None:
                hooks.node_ended(node.name, handle, attempt, error)
            raise
        if handle is not None:
            hooks.node_ended(node.name, handle, attempt)
        if started:
            self._finished(started, out, attempt)
        return out

    async def _attempt(self, attempt: int, offload: Offload[Any] | None) -> Any:
        node = self.node
        run = self.run_info
        kwargs = self.kwargs
        if node.context_param is not None:
            kwargs = {**kwargs, node.context_param: Context(run, node.name, self.superstep,
                                                            attempt, self.instance)}
        token = current_call.set(CallCell(run, node.name, self.superstep, attempt, True,
                                          self.instance))
        try:
            if node.timeout is None:
                if node.is_async:
                    return await node.fn(**kwargs)
                if offload is None:
                    return node.fn(**kwargs)
                return await offload(functools.partial(node.fn, **kwargs))
            # A sync node under a timeout runs on a thread, so the wait can be abandoned.
            scope = asyncio.timeout(node.timeout)
            try:
                async with scope:
                    if node.is_async:
                        return await node.fn(**kwargs)
                    return await (offload or _to_thread)(functools.partial(node.fn, **kwargs))
            except TimeoutError:
                if not scope.expired():
                    raise  # the node's own TimeoutError, not ours
                raise NodeTimeoutError(flow=run.flow, node=node.name, timeout=node.timeout,
                                       attempt=attempt) from None
        finally:
            current_call.reset(token)

    def _before_sleep(self, state: RetryCallState) -> None:
        run = self.run_info
        if state.outcome is None:
            return
        error = state.outcome.exception() or RuntimeError()
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log_node_retrying(run.flow, self.node.name, self.superstep, state.attempt_number,
                          wait, error)
        if run.hooks is not None:
            run.hooks.node_retrying(self.node.name, state.attempt_number, wait, error)
        if run.bus.active:
            run.bus.emit(NodeRetrying(run.flow, run.run_id, self.node.name, self.superstep,
                                      state.attempt_number, wait, error))

    async def _fallback(self, exc: Exception, attempts: int) -> Any:
        fallback = self.node.fallback
        if fallback is None:
            raise self._failure(exc, attempts) from exc
        try:
            out = fallback(**self._fallback_kwargs(exc))
            if self.node.fallback_is_async:
                out = await out
            return out
        except Exception as second:
            raise self._failure(second, attempts) from second

    def _fallback_kwargs(self, exc: Exception) -> dict[str, Any]:
        kwargs = dict(self.kwargs)
        param = self.node.context_param
        if param is not None:
            kwargs.pop(param, None)
        kwargs["error"] = exc
        return kwargs

    # -- events ----------------------------------------------------------------------

    def _failure(self, exc: BaseException, attempts: int,
                 judged: BaseException | None = None) -> NodeError:
        """The node's `NodeError`; `judged`: the failure a `retry_on` predicate raised on
        (`exc` is the predicate's own exception)."""
        run = self.run_info
        log_node_failed(run.flow, self.node.name, self.superstep, attempts, exc)
        if run.bus.active:
            run.bus.emit(NodeFailed(run.flow, run.run_id, self.node.name, self.superstep,
                                    attempts, exc))
        if judged is not None:
            return RetryPredicateError(flow=run.flow, node=self.node.name,
                                       superstep=self.superstep, attempts=attempts,
                                       error=f"{type(exc).__name__}: {exc}",
                                       failure=f"{type(judged).__name__}: {judged}")
        return NodeError(flow=run.flow, node=self.node.name, superstep=self.superstep,
                         attempts=attempts, error=f"{type(exc).__name__}: {exc}")

    def _started(self) -> float:
        return _started(self.node, self.superstep, self.run_info)

    def _finished(self, started: float, out: Mapping[str, Any], attempts: int = 1) -> None:
        _finished(self.node, self.superstep, self.run_info, started, out, attempts)


async def _to_thread(call: Callable[[], T]) -> T:
    """`call` on a daemon thread, abandoned if the wait is (see `threads`)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(background(), contextvars.copy_context().run, call)
