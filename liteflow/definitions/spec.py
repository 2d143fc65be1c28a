"""`NodeSpec`: a node's function read once into a plain value object.

Everything the compiler and the runner need about a node (inputs, outputs, types,
merge strategies, options, where it was defined) is derived here, at decoration time,
so nothing on the hot path ever calls `inspect` or `get_type_hints`.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from typing_extensions import is_typeddict

from ..core.context import Context
from .config import NodeConfig
from .strategy import UpdateStrategy

__all__ = ["InputSpec", "NodeSpec", "OutputSpec", "Problem", "Reducer", "read_outputs",
           "spec_from_function"]

Reducer = UpdateStrategy | Callable[[Any, Any], Any]
NodeKind = Literal["function", "flow", "builder"]


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input: a parameter name that is a state key."""

    name: str
    hint: Any
    required: bool
    default: Any = None


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """One output key of a node's return TypedDict, with its merge strategy."""

    name: str
    hint: Any
    required: bool
    reducer: Reducer | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A definition mistake found while reading a function (reported as LF100)."""

    msg_id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """Everything known about one node before it is compiled into a plan."""

    name: str
    fn: Callable[..., Any]
    is_async: bool
    inputs: tuple[InputSpec, ...]
    outputs: tuple[OutputSpec, ...]
    context_param: str | None
    config: NodeConfig
    file: str
    line: int
    kind: NodeKind = "function"
    problems: tuple[Problem, ...] = ()
    # Builder nodes receive the whole state as one dict and may write any key.
    takes_state: bool = False
    open_outputs: bool = False
    fallback_spec: NodeSpec | None = field(default=None, compare=False)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)


def source_of(fn: Callable[..., Any]) -> tuple[str, int]:
    """The file and `def` line of `fn` (best effort for builtins and partials)."""
    target = inspect.unwrap(fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return ("<unknown>", 0)
    return (code.co_filename, code.co_firstlineno)


def split_annotated(hint: Any) -> tuple[Any, Reducer | None]:
    """Strip `Annotated[...]`, returning the bare type and a declared merge strategy."""
    if get_origin(hint) is typing.Annotated:
        args = get_args(hint)
        reducer: Reducer | None = None
        for meta in args[1:]:
            if isinstance(meta, UpdateStrategy) or callable(meta):
                reducer = meta
                break
        return split_annotated(args[0])[0], reducer
    return hint, None


def _is_context(hint: Any) -> bool:
    return hint is Context


def read_outputs(hint: Any, owner: str) -> tuple[tuple[OutputSpec, ...], list[Problem]]:
    """Read output keys from a return annotation (a TypedDict or None)."""
    if hint is None or hint is type(None):
        return (), []
    if not is_typeddict(hint):
        return (), [Problem("problem.return_not_typeddict", {"node": owner, "hint": _name(hint)})]
    try:
        fields = typing.get_type_hints(hint, include_extras=True)
    except Exception as exc:
        return (), [Problem("problem.unresolvable_hints", {"node": owner, "error": exc})]
    required = hint.__required_keys__
    outputs = []
    for key, raw in fields.items():
        bare, reducer = split_annotated(raw)
        outputs.append(OutputSpec(key, bare, key in required, reducer))
    return tuple(outputs), []


def read_inputs(
    fn: Callable[..., Any], owner: str, hints: Mapping[str, Any]
) -> tuple[tuple[InputSpec, ...], str | None, list[Problem]]:
    """Read inputs (state keys) and the `Context` parameter from a signature."""
    problems: list[Problem] = []
    inputs: list[InputSpec] = []
    context_param: str | None = None
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            problems.append(Problem("problem.var_args", {"node": owner, "param": param.name}))
            continue
        if param.kind is param.POSITIONAL_ONLY:
            problems.append(Problem("problem.positional_only", {"node": owner,
                                                                "param": param.name}))
            continue
        hint, _ = split_annotated(hints.get(param.name, Any))
        if _is_context(hint):
            context_param = param.name
            continue
        has_default = param.default is not param.empty
        inputs.append(InputSpec(param.name, hint, not has_default,
                                param.default if has_default else None))
    return tuple(inputs), context_param, problems


def spec_from_function(
    fn: Callable[..., Any], config: NodeConfig, *, kind: NodeKind = "function"
) -> NodeSpec:
    """Build the `NodeSpec` of a typed node function."""
    name = config.name or getattr(fn, "__name__", None) or type(fn).__name__
    file, line = source_of(fn)
    problems: list[Problem] = []
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        hints = {}
        problems.append(Problem("problem.unresolvable_hints", {"node": name, "error": exc}))
    inputs, context_param, input_problems = read_inputs(fn, name, hints)
    problems += input_problems
    outputs: tuple[OutputSpec, ...] = ()
    if "return" not in hints and not problems:
        problems.append(Problem("problem.no_return_hint", {"node": name}))
    elif "return" in hints:
        outputs, output_problems = read_outputs(hints["return"], name)
        problems += output_problems
    fallback_spec = None
    if config.fallback is not None:
        fallback_spec = spec_from_function(config.fallback, NodeConfig(name=f"{name}.fallback"))
    return NodeSpec(
        name=name,
        fn=fn,
        is_async=inspect.iscoroutinefunction(inspect.unwrap(fn)),
        inputs=inputs,
        outputs=outputs,
        context_param=context_param,
        config=config,
        file=file,
        line=line,
        kind=kind,
        problems=tuple(problems),
        fallback_spec=fallback_spec,
    )


def _name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or repr(hint)
