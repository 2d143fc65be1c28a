"""`NodeSpec`: a node's function read once into a plain value object.

Everything the compiler and the runner need about a node (inputs, outputs, types,
merge strategies, options, where it was defined) is derived here, at decoration time,
so nothing on the hot path ever calls `inspect` or `get_type_hints`.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, get_args, get_origin

import typing_extensions
from typing_extensions import is_typeddict

from ..core.context import Context
from ..core.diagnostics import Diagnostic, def_position
from ..core.merge import UpdateStrategy
from .config import NodeConfig

__all__ = ["InputSpec", "NodeSpec", "OutputSpec", "Problem", "Reducer",
           "problem_diagnostics", "read_outputs", "spec_from_function"]

Reducer = UpdateStrategy | Callable[[Any, Any], Any]
NodeKind = Literal["function", "flow", "builder"]


class InputSpec(NamedTuple):
    """One input: a parameter name that is a state key."""

    name: str
    hint: Any
    required: bool
    default: Any = None


class OutputSpec(NamedTuple):
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


@dataclass(slots=True, eq=False)
class NodeSpec:
    """Everything known about one node before it is compiled into a plan.

    Compared by identity: the compiler tells two same-named nodes apart by it.
    """

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
    fallback_spec: NodeSpec | None = None

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


# `NotRequired[...]` and friends say whether a TypedDict key is required, not its type.
_QUALIFIERS = frozenset({typing.Required, typing.NotRequired, typing_extensions.ReadOnly})


def split_annotated(hint: Any) -> tuple[Any, Reducer | None]:
    """Strip `Annotated[...]`, returning the bare type and a declared merge strategy."""
    if isinstance(hint, type) and not hasattr(hint, "__origin__"):
        return hint, None  # a plain class: the common case, answered without typing's help
    origin = get_origin(hint)
    if origin in _QUALIFIERS:
        return split_annotated(get_args(hint)[0])
    if origin is typing.Annotated:
        args = get_args(hint)
        reducer: Reducer | None = None
        for meta in args[1:]:
            if isinstance(meta, UpdateStrategy) or callable(meta):
                reducer = meta
                break
        bare, inner = split_annotated(args[0])
        return bare, reducer if reducer is not None else inner
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
        return _typeddict_outputs(hint), []
    except Exception as exc:  # any failure to resolve is reported as LF100
        return (), [Problem("problem.unresolvable_hints", {"node": owner, "error": exc})]


@functools.lru_cache(maxsize=1024)
def _typeddict_outputs(hint: Any) -> tuple[OutputSpec, ...]:
    # Many nodes share one TypedDict: read each class once.
    fields = typing.get_type_hints(hint, include_extras=True)
    required = hint.__required_keys__
    outputs = []
    for key, raw in fields.items():
        bare, reducer = split_annotated(raw)
        outputs.append(OutputSpec(name=key, hint=bare, required=key in required, reducer=reducer))
    return tuple(outputs)


def function_hints(fn: Callable[..., Any], localns: Namespace = None) -> dict[str, Any]:
    """`get_type_hints(fn, include_extras=True)`, with its work skipped where possible.

    `localns` (the namespace where the function was defined, or the frame whose locals
    it is) lets string annotations name classes defined inside a function, as in tests
    and notebooks.
    """
    annotations = getattr(fn, "__annotations__", None)
    if isinstance(annotations, dict) and (
        type(fn) is types.FunctionType and getattr(fn, "__wrapped__", None) is None
    ):
        hints: dict[str, Any] = {}
        for key, value in annotations.items():
            if isinstance(value, str):
                # `from __future__ import annotations`: every hint is a string.
                localns = _mapping(localns)
                value = _evaluate(value, fn.__globals__, localns)
                if value is _UNRESOLVED:
                    break  # typing's own path: its rules, its error messages
            hints[key] = type(None) if value is None else value
        else:
            return hints
    localns = _mapping(localns)
    return typing.get_type_hints(fn, localns=dict(localns) if localns else None,
                                 include_extras=True)


#: A local namespace, or the frame whose locals it is (read only if a string hint needs it).
Namespace = Mapping[str, Any] | types.FrameType | None


def _mapping(localns: Namespace) -> Mapping[str, Any] | None:
    return localns.f_locals if isinstance(localns, types.FrameType) else localns


_UNRESOLVED = object()


@functools.lru_cache(maxsize=1024)
def _compiled(text: str) -> types.CodeType | None:
    try:
        return compile(text, "<annotation>", "eval")
    except SyntaxError:
        return None


def _evaluate(text: str, globalns: dict[str, Any], localns: Mapping[str, Any] | None) -> Any:
    """A string annotation's value, as `get_type_hints` finds it (locals before globals),
    but compiled once per text: typing compiles it anew for every function. Anything
    unusual (an error, a non-type, a forward reference left inside) is `_UNRESOLVED`."""
    code = _compiled(text)
    if code is None:
        return _UNRESOLVED
    try:
        value = eval(code, globalns, localns) if localns else eval(code, globalns)
    except Exception:
        return _UNRESOLVED
    return value if _is_resolved(value) else _UNRESOLVED


def _is_resolved(hint: Any) -> bool:
    if hint is None or hint is Any or isinstance(hint, type | typing.TypeVar):
        return True
    origin = get_origin(hint)
    if origin is None:
        return False
    if origin is Literal:
        return True
    args = get_args(hint)
    if origin is typing.Annotated:
        args = args[:1]
    return all(_is_resolved(a) or a is Ellipsis for a in args)


def caller_namespace(depth: int) -> types.FrameType | None:
    """The frame `depth` frames above the caller (where a decorator was applied), whose
    locals are the namespace of its string annotations; None at module level.

    Its locals are read only if a string annotation needs them: snapshotting a frame's
    locals is not free. The frame is only passed down, never kept.
    """
    frame = sys._getframe(depth + 1)
    return frame if frame.f_code.co_name != "<module>" else None


def read_inputs(
    fn: Callable[..., Any], owner: str, hints: Mapping[str, Any]
) -> tuple[tuple[InputSpec, ...], str | None, list[Problem]]:
    """Read inputs (state keys) and the `Context` parameter from a signature."""
    problems: list[Problem] = []
    inputs: list[InputSpec] = []
    context_param: str | None = None
    for name, kind, default in _parameters(fn):
        if kind is _VAR:
            problems.append(Problem("problem.var_args", {"node": owner, "param": name}))
            continue
        if kind is _POS_ONLY:
            problems.append(Problem("problem.positional_only", {"node": owner, "param": name}))
            continue
        hint, _ = split_annotated(hints.get(name, Any))
        if _is_context(hint):
            context_param = name
            continue
        has_default = default is not inspect.Parameter.empty
        inputs.append(InputSpec(name=name, hint=hint, required=not has_default,
                                default=default if has_default else None))
    return tuple(inputs), context_param, problems


_VAR = "var"  # *args / **kwargs
_POS_ONLY = "positional-only"
_NORMAL = "normal"


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, str, Any]]:
    """(name, kind, default or EMPTY) of each parameter.

    Read straight from the code object for plain functions: `inspect.signature` costs
    more than everything else done for a node.
    """
    empty = inspect.Parameter.empty
    if type(fn) is not types.FunctionType or hasattr(fn, "__signature__"):
        kinds: dict[Any, str] = {inspect.Parameter.VAR_POSITIONAL: _VAR,
                                 inspect.Parameter.VAR_KEYWORD: _VAR,
                 inspect.Parameter.POSITIONAL_ONLY: _POS_ONLY}
        return [(p.name, kinds.get(p.kind, _NORMAL), p.default)
                for p in inspect.signature(fn).parameters.values()]
    code = fn.__code__
    npos = code.co_argcount
    nkw = code.co_kwonlyargcount
    names = code.co_varnames
    defaults = fn.__defaults__ or ()
    kwdefaults = fn.__kwdefaults__ or {}
    first_default = npos - len(defaults)
    params = [
        (names[i], _POS_ONLY if i < code.co_posonlyargcount else _NORMAL,
         defaults[i - first_default] if i >= first_default else empty)
        for i in range(npos)
    ]
    params += [(names[i], _NORMAL, kwdefaults.get(names[i], empty))
               for i in range(npos, npos + nkw)]
    extra = npos + nkw
    if code.co_flags & inspect.CO_VARARGS:
        params.append((names[extra], _VAR, empty))
        extra += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        params.append((names[extra], _VAR, empty))
    return params


def spec_from_function(
    fn: Callable[..., Any], config: NodeConfig, *, kind: NodeKind = "function",
    localns: Namespace = None,
) -> NodeSpec:
    """Build the `NodeSpec` of a typed node function."""
    name = config.name or getattr(fn, "__name__", None) or type(fn).__name__
    # `getattr`, not `fn.__dict__`: reading a function's `__dict__` creates it, a
    # collectable object more per node.
    if type(fn) is types.FunctionType and getattr(fn, "__wrapped__", None) is None:
        code = fn.__code__
        file, line = code.co_filename, code.co_firstlineno
        is_async = bool(code.co_flags & inspect.CO_COROUTINE)
    else:
        file, line = source_of(fn)
        is_async = inspect.iscoroutinefunction(inspect.unwrap(fn))
    problems: list[Problem] = []
    hints: dict[str, Any] = {}
    try:
        hints = function_hints(fn, localns)
    except Exception as exc:
        problems.append(Problem("problem.unresolvable_hints", {"node": name, "error": exc}))
    inputs, context_param, outputs = _read_signature(fn, name, hints, problems)
    fallback_spec = None
    if config.fallback is not None:
        fallback_spec = spec_from_function(config.fallback, NodeConfig(name=f"{name}.fallback"))
    return NodeSpec(name=name, fn=fn, is_async=is_async, inputs=inputs, outputs=outputs,
                    context_param=context_param, config=config, file=file, line=line,
                    kind=kind, problems=tuple(problems), fallback_spec=fallback_spec)


def _read_signature(
    fn: Callable[..., Any], name: str, hints: Mapping[str, Any], problems: list[Problem],
) -> tuple[tuple[InputSpec, ...], str | None, tuple[OutputSpec, ...]]:
    """Inputs, `Context` parameter and outputs of `fn`; definition mistakes go to `problems`."""
    inputs, context_param, input_problems = read_inputs(fn, name, hints)
    problems += input_problems
    outputs: tuple[OutputSpec, ...] = ()
    if "return" not in hints and not problems:
        problems.append(Problem("problem.no_return_hint", {"node": name}))
    elif "return" in hints:
        outputs, output_problems = read_outputs(hints["return"], name)
        problems += output_problems
    return inputs, context_param, outputs


def _name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or repr(hint)


def problem_diagnostics(spec: NodeSpec, flow: str | None) -> list[Diagnostic]:
    """LF100 diagnostics for the definition problems recorded in a node's spec."""
    line, col = def_position(spec.file, spec.line)
    fields: dict[str, Any] = {"flow": flow or "-"}
    return [
        Diagnostic("LF100", p.msg_id, {**fields, **p.fields}, spec.file, line, col, flow,
                   spec.name)
        for p in spec.problems
    ]
