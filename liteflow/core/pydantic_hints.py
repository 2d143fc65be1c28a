"""Make user type hints acceptable to pydantic.

On Python < 3.12 pydantic refuses `typing.TypedDict` classes (it needs
`typing_extensions.TypedDict`). Users write `typing.TypedDict` everywhere — the flow API
is built on it — so such classes, also nested inside other hints, are rebuilt here as
equivalent `typing_extensions.TypedDict` classes before pydantic sees them.
`typeddict_fields` reads a TypedDict's fields the same way for the runtime checks.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin

import typing_extensions

__all__ = ["pydantic_compatible", "typeddict_fields"]

_NEEDS_CONVERSION = sys.version_info < (3, 12)


def _is_stdlib_typeddict(hint: Any) -> bool:
    return typing_extensions.is_typeddict(hint) and type(hint).__module__ == "typing"


def _convert_typeddict(hint: Any, seen: dict[int, Any]) -> Any:
    if id(hint) in seen:
        return seen[id(hint)]
    fields: dict[str, Any] = {}
    for key, value, required in typeddict_fields(hint):
        wrapper = typing_extensions.Required if required else typing_extensions.NotRequired
        fields[key] = wrapper[_convert(value, seen)]
    make_typed_dict: Any = typing_extensions.TypedDict  # built from runtime fields
    converted: Any = make_typed_dict(hint.__name__, fields)
    converted.__doc__ = hint.__doc__
    converted.__module__ = hint.__module__
    converted.__qualname__ = hint.__qualname__
    seen[id(hint)] = converted
    return converted


def typeddict_fields(hint: Any) -> tuple[tuple[str, Any, bool], ...]:
    """A TypedDict's fields as (key, type, required), the type without `Required`/`NotRequired`.

    Raises what `typing.get_type_hints` raises for an unresolvable annotation.
    """
    hints = typing.get_type_hints(hint, include_extras=True)
    fields = []
    for key, value in hints.items():
        # With `from __future__ import annotations`, Python 3.11 cannot see `NotRequired`
        # in the string annotations, so `__required_keys__` is wrong; the resolved hint is not.
        origin = get_origin(value)
        if origin in _NOT_REQUIRED:
            required = False
        elif origin in _REQUIRED:
            required = True
        else:
            required = key in hint.__required_keys__
        fields.append((key, _strip_required(value), required))
    return tuple(fields)


_REQUIRED = (typing.Required, typing_extensions.Required)
_NOT_REQUIRED = (typing.NotRequired, typing_extensions.NotRequired)


def _strip_required(hint: Any) -> Any:
    if get_origin(hint) in (*_REQUIRED, *_NOT_REQUIRED):
        return get_args(hint)[0]
    return hint


def _convert(hint: Any, seen: dict[int, Any]) -> Any:
    if _is_stdlib_typeddict(hint):
        return _convert_typeddict(hint, seen)
    args = get_args(hint)
    if not args:
        return hint
    origin = get_origin(hint)
    if origin is Annotated:
        base = _convert(args[0], seen)
        return hint if base is args[0] else Annotated[(base, *hint.__metadata__)]
    new_args = tuple(_convert(arg, seen) for arg in args)
    if all(new is old for new, old in zip(new_args, args, strict=True)):
        return hint
    if origin in (Union, types.UnionType):
        return Union[new_args]  # noqa: UP007 - built from a runtime tuple
    if isinstance(hint, types.GenericAlias):
        return types.GenericAlias(origin, new_args)
    copy_with = getattr(hint, "copy_with", None)
    return copy_with(new_args) if copy_with is not None else hint


def pydantic_compatible(hint: Any) -> Any:
    """`hint` with every `typing.TypedDict` replaced by a `typing_extensions` equivalent."""
    if not _NEEDS_CONVERSION:
        return hint
    return _convert(hint, {})
