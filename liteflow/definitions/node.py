"""`@node`: a typed function becomes a node, and stays callable exactly as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, overload

from ..core.errors import FlowCompileError, FlowDefinitionError
from .config import CachePolicy, NodeConfig, RetryOn
from .spec import Namespace, NodeSpec, caller_namespace, spec_from_function
from .wiring import Wirable

__all__ = ["NodeFunction", "node"]

P = ParamSpec("P")
R = TypeVar("R")


class NodeFunction(Wirable, Generic[P, R]):
    """A node: the wrapped function plus its `NodeSpec`. Calling it calls the function."""

    def __init__(self, fn: Callable[P, R], config: NodeConfig,
                 localns: Namespace = None) -> None:
        self._spec = spec_from_function(fn, config, localns=localns)
        # What functools.update_wrapper does, minus its generality (nodes come by thousands).
        self.__module__ = getattr(fn, "__module__", None)  # type: ignore[assignment]
        self.__name__ = getattr(fn, "__name__", self._spec.name)
        self.__qualname__ = getattr(fn, "__qualname__", self.__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    def __getattr__(self, name: str) -> Any:
        # Attributes set on the function read through the node, as after functools.wraps,
        # without copying them (reading a function's `__dict__` creates one per node).
        if name.startswith("__") or name == "_spec":
            raise AttributeError(name)
        return getattr(self._spec.fn, name)

    @property
    def name(self) -> str:
        return self._spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._spec.fn(*args, **kwargs)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<node {self._spec.name}>"

    def __reduce__(self) -> str:
        # Nodes pickle by reference, like the functions they wrap.
        qualname: str = self.__dict__["__qualname__"]  # set in __init__
        return qualname


@overload
def node(fn: Callable[P, R], /) -> NodeFunction[P, R]: ...


@overload
def node(
    *,
    name: str | None = None,
    retry_count: int = 0,
    retry_delay: float = 1.0,
    backoff: float = 2.0,
    max_delay: float = 60.0,
    retry_on: RetryOn = (Exception,),
    timeout: float | None = None,
    fallback: Callable[..., Any] | None = None,
    check_types: bool = True,
    metadata: Mapping[str, Any] | None = None,
    cache: bool | CachePolicy | None = None,
    jitter: float = 0.0,
    config: NodeConfig | None = None,
) -> Callable[[Callable[P, R]], NodeFunction[P, R]]: ...


def node(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    retry_count: int = 0,
    retry_delay: float = 1.0,
    backoff: float = 2.0,
    max_delay: float = 60.0,
    retry_on: RetryOn = (Exception,),
    timeout: float | None = None,
    fallback: Callable[..., Any] | None = None,
    check_types: bool = True,
    metadata: Mapping[str, Any] | None = None,
    cache: bool | CachePolicy | None = None,
    jitter: float = 0.0,
    config: NodeConfig | None = None,
) -> Any:
    """Turn a typed function into a node.

    Parameters are the node's inputs (state keys); the return annotation, a TypedDict
    (or None), lists its outputs::

        @node
        def 评审员(text: str) -> 评审:
            return {"score": len(text)}

        @node(retry_count=2, timeout=30)
        async def 改进(text: str) -> 草稿: ...
    """
    options = (name, retry_count, retry_delay, backoff, max_delay, retry_on, timeout, fallback,
               check_types, metadata, cache, jitter)
    unnamed: FlowDefinitionError | None = None  # a bad option, to report with the node's name
    if config is None and options == _DEFAULT_OPTIONS:
        config = _DEFAULT_CONFIG
    elif config is None:
        try:
            config = NodeConfig(
                name=name,
                retry_count=retry_count,
                retry_delay=retry_delay,
                backoff=backoff,
                max_delay=max_delay,
                retry_on=retry_on,
                timeout=timeout,
                fallback=fallback,
                check_types=check_types,
                metadata=dict(metadata or {}),
                cache=cache,
                jitter=jitter,
            )
        except FlowDefinitionError as exc:
            if not exc.msg_id.startswith("error.config_") or exc.msg_id == "error.config_value":
                raise
            unnamed = exc
    elif name is not None and config.name is None:
        config = NodeConfig(**{**_fields(config), "name": name})

    if unnamed is not None:
        # The function, and so the node's name, is known only once it is decorated.
        def refuse(function: Callable[..., Any]) -> Any:
            node_name = getattr(function, "__name__", "?")
            raise FlowDefinitionError(unnamed.msg_id.replace("error.config_", "error.node_"),
                                      **{**unnamed.fields, "node": node_name}) from None

        return refuse if fn is None else refuse(fn)
    assert config is not None

    if fn is not None:  # bare `@node`, by far the most common: no closure
        made: NodeFunction[..., Any] = NodeFunction(fn, config, caller_namespace(1))
        if made._spec.problems:
            _report_problems(made._spec)
        return made

    def decorate(function: Callable[P, R]) -> NodeFunction[P, R]:
        wrapped = NodeFunction(function, config, caller_namespace(1))
        if wrapped._spec.problems:
            _report_problems(wrapped._spec)
        return wrapped

    return decorate


_DEFAULT_OPTIONS = (None, 0, 1.0, 2.0, 60.0, (Exception,), None, None, True, None, None, 0.0)
_DEFAULT_CONFIG = NodeConfig()


def _fields(config: NodeConfig) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}


def _report_problems(spec: NodeSpec) -> None:
    # Under `liteflow check` nothing raises: the flow that uses the node reports LF100.
    from ..core.diagnostics import collecting
    from .spec import problem_diagnostics

    if not collecting():
        raise FlowCompileError(spec.name, problem_diagnostics(spec, flow=None))
