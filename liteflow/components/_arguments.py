"""A tool's arguments: the pydantic model derived from its signature, and its JSON schema.

Built once per tool, when it is defined; each call then only validates against it.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import pydantic

from ..core.errors import ToolArgumentError, ToolDefinitionError
from ..core.pydantic_hints import pydantic_compatible
from ..core.reprs import short_repr
from ..core.suggest import closest
from ..core.typecheck import describe_type
from ._docstrings import parse_docstring
from ._phrase import Phrase, Phrases
from ._validation import Detail

__all__ = ["Arguments"]

class Arguments:
    """A tool's arguments: the pydantic model that validates them, and their JSON schema.

    Fields use positional internal names with the parameter name as alias, so any parameter
    name works (Chinese, `json`, `schema`, ...) without clashing with pydantic's own names.
    """

    __slots__ = ("_source", "model", "names", "schema", "types")

    def __init__(
        self,
        tool: str,
        fn: Callable[..., Any],
        *,
        skip_self: bool = False,
        extra_doc: str | None = None,
    ) -> None:
        self._source = (tool, fn, skip_self, extra_doc)
        signature = inspect.signature(fn)
        params = list(signature.parameters.values())[1 if skip_self else 0 :]
        try:
            hints = typing.get_type_hints(fn, include_extras=True)
        except Exception as exc:
            raise ToolDefinitionError(
                "tool.bad_signature",
                tool=tool,
                key=_unresolvable_parameter(fn) or "-",
                reason=f"{type(exc).__name__}: {exc}",
            ) from exc
        docs = parse_docstring(extra_doc)[1] | parse_docstring(fn.__doc__)[1]
        fields: dict[str, Any] = {}
        self.names: tuple[str, ...] = tuple(p.name for p in params)
        self.types: dict[str, Any] = {}
        for index, param in enumerate(params):
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise ToolDefinitionError("tool.variadic", tool=tool, key=param.name)
            if param.kind is param.POSITIONAL_ONLY:  # tools are always called by name
                raise ToolDefinitionError("tool.positional_only", tool=tool, key=param.name)
            if param.name not in hints:
                raise ToolDefinitionError("tool.no_annotation", tool=tool, key=param.name)
            annotation = hints[param.name]
            self.types[param.name] = annotation
            field_args: dict[str, Any] = {"alias": param.name}
            if docs.get(param.name):
                field_args["description"] = docs[param.name]
            if param.default is not param.empty:
                field_args["default"] = param.default
            fields[f"p{index}"] = (pydantic_compatible(annotation), pydantic.Field(**field_args))
        try:
            self.model: type[pydantic.BaseModel] = pydantic.create_model(
                "Arguments",
                __config__=pydantic.ConfigDict(extra="forbid"),
                **fields,
            )
            schema = self.model.model_json_schema()
        except Exception as exc:
            key = self._find_bad_parameter() or "-"
            raise ToolDefinitionError(
                "tool.bad_signature", tool=tool, key=key, reason=f"{type(exc).__name__}: {exc}"
            ) from exc
        self.schema: dict[str, Any] = _clean_schema(schema)

    def __reduce__(self) -> tuple[Any, ...]:
        # The pydantic model is a class made at run time and cannot be pickled; it is
        # rebuilt from the function instead.
        return (_rebuild, self._source)

    def _find_bad_parameter(self) -> str | None:
        for name, annotation in self.types.items():
            try:
                pydantic.TypeAdapter(pydantic_compatible(annotation)).json_schema()
            except Exception:
                return name
        return None

    def validate(self, tool: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validated (and coerced) keyword arguments, or `ToolArgumentError`."""
        try:
            instance = self.model.model_validate(dict(arguments))
        except pydantic.ValidationError as exc:
            problems = [self._problem(tool, error) for error in exc.errors()]
            # An unknown argument first: its did-you-mean usually explains the missing one.
            problems.sort(key=lambda problem: _ORDER.get(problem["msg_id"], 3))
            first, rest = problems[0], problems[1:]
            if not rest:
                raise ToolArgumentError(
                    first["msg_id"], problems=problems, **first["fields"]
                ) from None
            raise ToolArgumentError(
                "tool.argument_problems",
                problems=problems,
                first=Phrase(first["msg_id"], **first["fields"]),
                others=Phrases(tuple(Phrase(p["msg_id"], **p["fields"]) for p in rest)),
                **first["fields"],
            ) from None
        return {name: getattr(instance, f"p{i}") for i, name in enumerate(self.names)}

    def _problem(self, tool: str, error: Any) -> dict[str, Any]:
        loc = tuple(str(part) for part in error.get("loc", ()))
        key = loc[0] if loc else "-"
        kind = error.get("type")
        known = ", ".join(self.names) or "-"
        if kind == "missing" and len(loc) == 1:
            return {"msg_id": "tool.argument_missing", "fields": {"tool": tool, "key": key}}
        if kind == "extra_forbidden" and len(loc) == 1:
            hint = closest(key, self.names)
            fields = {"tool": tool, "key": key, "known": known}
            if hint is None:
                return {"msg_id": "tool.argument_unknown", "fields": fields}
            return {
                "msg_id": "tool.argument_unknown_suggest",
                "fields": {**fields, "suggestion": hint},
            }
        expected = describe_type(self.types.get(key, Any))
        return {
            "msg_id": "tool.argument_invalid",
            "fields": {
                "tool": tool,
                "key": ".".join(loc) or "-",
                "expected": expected,
                "value": short_repr(error.get("input"), 60),
                "detail": Detail(error),
            },
        }


_ORDER = {"tool.argument_unknown_suggest": 0, "tool.argument_unknown": 1,
          "tool.argument_missing": 2}


def _unresolvable_parameter(fn: Callable[..., Any]) -> str | None:
    """The first parameter whose annotation cannot be resolved (to name it in the error)."""
    namespace = getattr(inspect.unwrap(fn), "__globals__", {})
    annotations: dict[str, Any] = getattr(fn, "__annotations__", {})
    for name, annotation in annotations.items():
        holder = types.SimpleNamespace(__annotations__={name: annotation})
        try:
            typing.get_type_hints(holder, globalns=namespace)
        except Exception:
            return name
    return None


def _untitled(prop: Any) -> Any:
    return {k: v for k, v in prop.items() if k != "title"} if isinstance(prop, dict) else prop


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's generated titles: they only repeat the names and cost tokens."""
    schema = dict(schema)
    schema.pop("title", None)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["properties"] = {
            name: _untitled(prop) for name, prop in properties.items()
        }
    schema.setdefault("properties", {})
    return schema


def _rebuild(
    tool: str, fn: Callable[..., Any], skip_self: bool, extra_doc: str | None
) -> Arguments:
    return Arguments(tool, fn, skip_self=skip_self, extra_doc=extra_doc)
