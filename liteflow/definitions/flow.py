"""`@flow`: a function whose parameters are the inputs, whose return TypedDict lists the
outputs, and whose body declares the wiring. The body is traced once, at decoration.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar, overload

from ..core.errors import (
    FlowCompileError,
    FlowDefinitionError,
    FlowInputError,
    LiteflowError,
)
from ..plan import Plan
from ._runnable import Runnable
from .config import NodeConfig
from .decl import FlowDecl
from .spec import (
    Namespace,
    NodeSpec,
    Problem,
    caller_namespace,
    function_hints,
    read_inputs,
    read_outputs,
    source_of,
)
from .wiring import Recorder, Wirable

if typing.TYPE_CHECKING:
    from ..core.diagnostics import Diagnostic
    from ..engine.options import RunOptions

__all__ = ["Flow", "flow"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_CONTEXT_PARAM = "_liteflow_context"


class Flow(Wirable, Runnable[P, R]):
    """A compiled flow. Run it, stream it, export it, or wire it into another flow."""

    def __init__(self, decl: FlowDecl, plan: Plan | None, diagnostics: list[Diagnostic],
                 fn: Callable[..., Any], options: RunOptions | None = None) -> None:
        self._decl = decl
        self._plan = plan
        self._diagnostics = tuple(diagnostics)
        self._fn = fn
        self._options = options
        self._spec = NodeSpec(
            name=decl.name,
            fn=self._run_nested,
            is_async=True,
            inputs=decl.inputs,
            outputs=decl.outputs,
            context_param=_CONTEXT_PARAM,
            config=NodeConfig(name=decl.name),
            file=decl.file,
            line=decl.line,
            kind="flow",
        )
        self.__name__ = decl.name
        self.__doc__ = fn.__doc__
        self.__module__ = fn.__module__
        self.__qualname__ = getattr(fn, "__qualname__", decl.name)

    # -- what the flow is ------------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._decl.name

    @property
    def decl(self) -> FlowDecl:
        return self._decl

    @property
    def plan(self) -> Plan:
        """The compiled, immutable execution plan."""
        if self._plan is None:
            raise FlowCompileError(self.name, [d for d in self._diagnostics
                                               if d.severity == "error"])
        return self._plan

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self._diagnostics

    def _declaration(self) -> FlowDecl:
        return self._decl

    # -- the run surface's hooks -----------------------------------------------------

    def _configured(self, options: RunOptions) -> Flow[P, R]:
        return Flow(self._decl, self._plan, list(self._diagnostics), self._fn, options)

    def _inputs(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        if not args:
            return dict(kwargs)
        names = [i.name for i in self._decl.inputs]
        if len(args) > len(names):
            raise FlowInputError("error.flow_too_many_args", flow=self.name, count=len(args),
                                 expected=len(names))
        inputs = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in inputs:
                raise FlowInputError("error.flow_input_twice", flow=self.name, key=key)
            inputs[key] = value
        return inputs

    async def _run_nested(self, **kwargs: Any) -> dict[str, Any]:
        """This flow as a node of another flow: a nested Pregel run."""
        from ..engine.nested import run_nested

        return await run_nested(self.plan, self._options, kwargs.pop(_CONTEXT_PARAM), kwargs)

    def __repr__(self) -> str:
        return f"<flow {self.name}>"

    def __reduce__(self) -> str:
        # Flows pickle by reference, like functions: by their module-level name.
        return self.__qualname__


@overload
def flow(fn: Callable[P, R], /) -> Flow[P, R]: ...


@overload
def flow(
    *,
    name: str | None = None,
    max_supersteps: int = 100,
    version: str | None = None,
    state: type[Any] | None = None,
    check_types: bool = True,
) -> Callable[[Callable[P, R]], Flow[P, R]]: ...


@overload
def flow(
    *,
    output: type[T],
    name: str | None = None,
    max_supersteps: int = 100,
    version: str | None = None,
    state: type[Any] | None = None,
    check_types: bool = True,
) -> Callable[[Callable[P, None]], Flow[P, T]]: ...


def flow(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    output: type[Any] | None = None,
    name: str | None = None,
    max_supersteps: int = 100,
    version: str | None = None,
    state: type[Any] | None = None,
    check_types: bool = True,
) -> Any:
    """Declare a flow. The body wires nodes with `>>` and is traced once, right here::

        @flow(max_supersteps=50)
        def 写作流程(topic: str) -> 评审:
            写作 >> 评审员
            评审员 >> 改进.when(lambda out: out["score"] < 80)
            改进 >> 评审员

    For mypy-strict code, annotate the body `-> None` and pass the outputs TypedDict as
    `output=`; both forms behave the same.
    """

    def decorate(function: Callable[..., Any]) -> Flow[Any, Any]:
        # networkx loads with the first flow, not on import
        from ..compiler import compile_flow, gc_paused

        with gc_paused():
            decl = trace(function, localns=caller_namespace(2 if fn is not None else 1),
                         name=name, output=output, max_supersteps=max_supersteps,
                         version=version, state=state, check_types=check_types)
            plan, diagnostics = compile_flow(decl)
        made: Flow[Any, Any] = Flow(decl, plan, diagnostics, function)
        return made

    return decorate(fn) if fn is not None else decorate


def trace(fn: Callable[..., Any], *, localns: Namespace = None,
          name: str | None, output: type[Any] | None,
          max_supersteps: int, version: str | None, state: type[Any] | None,
          check_types: bool) -> FlowDecl:
    """Read a flow function's signature and record the wiring its body declares."""
    flow_name = name or fn.__name__
    file, line = source_of(fn)
    problems: list[Problem] = []
    try:
        hints = function_hints(fn, localns)
    except Exception as exc:
        hints = {}
        problems.append(Problem("problem.unresolvable_hints", {"node": flow_name, "error": exc}))
    inputs, context_param, input_problems = read_inputs(fn, flow_name, hints)
    problems += input_problems
    if context_param is not None:
        problems.append(Problem("problem.flow_context_param", {"node": flow_name,
                                                               "param": context_param}))
    outputs_hint = output if output is not None else hints.get("return")
    outputs, output_problems = read_outputs(outputs_hint, flow_name)
    problems += output_problems
    state_keys = read_outputs(state, flow_name)[0] if state is not None else ()
    if max_supersteps < 1:
        raise FlowDefinitionError("error.config_value", option="max_supersteps",
                                  value=max_supersteps)
    with Recorder(flow_name) as recorder:
        try:
            fn(**{i.name: _Placeholder(i.name) for i in inputs})
        except LiteflowError:
            raise
        except Exception as exc:
            raise FlowDefinitionError("error.flow_trace_failed", flow=flow_name,
                                      error=f"{type(exc).__name__}: {exc}") from exc
    by_id = {id(spec): spec for spec in recorder.nodes}
    return FlowDecl(
        name=flow_name,
        file=file,
        line=line,
        inputs=inputs,
        outputs=outputs,
        nodes=tuple(recorder.nodes),
        edges=tuple(recorder.edges),
        entries=tuple(recorder.entries),
        entry_edges=tuple(recorder.entry_edges),
        maps={by_id[key].name: value for key, value in recorder.maps.items()},
        state=state_keys,
        max_supersteps=max_supersteps,
        check_types=check_types,
        version=version,
        problems=tuple(problems),
    )


class _Placeholder:
    """Stands in for a flow input while the body is traced (the body only wires)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<input {self._name}>"
