"""Static type compatibility of a producer's hint with a consumer's hint.

`beartype.door.is_subhint` does the work; this module adds what a workflow needs on
top of it: the numeric tower (an `int` fits a `float`, as in mypy and in the runtime
checks), TypedDicts compared by their keys, and covariant generics where beartype
gives up. Anything it cannot decide counts as compatible: the compiler reports only
mismatches it is sure of.
"""

from __future__ import annotations

import collections.abc
import typing
from functools import lru_cache
from types import NoneType, UnionType
from typing import Any, get_args, get_origin

from typing_extensions import is_typeddict

from ..definitions.spec import split_annotated

__all__ = ["element_type", "is_compatible", "is_iterable_hint"]

_TOWER: dict[Any, tuple[Any, ...]] = {float: (int, bool), complex: (int, bool, float)}
_NOT_ITEMS = (str, bytes, bytearray, collections.abc.Mapping)


def is_compatible(produced: Any, expected: Any) -> bool:
    """True unless a value of type `produced` can certainly not be an `expected`."""
    try:
        return _cached(produced, expected)
    except TypeError:  # an unhashable hint
        return _compatible(produced, expected)


@lru_cache(maxsize=4096)
def _cached(produced: Any, expected: Any) -> bool:
    return _compatible(produced, expected)


def _compatible(produced: Any, expected: Any) -> bool:
    produced = split_annotated(produced)[0]
    expected = split_annotated(expected)[0]
    if produced is expected or produced == expected:
        return True
    if _anything(produced) or _anything(expected) or isinstance(produced, typing.TypeVar):
        return True
    if _is_union(produced):
        return all(_compatible(member, expected) for member in get_args(produced))
    if _is_union(expected):
        return any(_compatible(produced, member) for member in get_args(expected))
    if produced in _TOWER.get(expected, ()):
        return True
    if is_typeddict(produced) or is_typeddict(expected):
        return _typeddicts(produced, expected)
    try:
        from beartype.door import is_subhint

        if is_subhint(produced, expected):
            return True
    except Exception:
        return _generic(produced, expected, unknown=True)
    return _generic(produced, expected, unknown=False)


def _anything(hint: Any) -> bool:
    return hint is Any or hint is object or isinstance(hint, str | typing.ForwardRef)


def _is_union(hint: Any) -> bool:
    return get_origin(hint) in (typing.Union, UnionType)


def _typeddicts(produced: Any, expected: Any) -> bool:
    """TypedDicts match by keys: every key the consumer needs, with a fitting type."""
    if not is_typeddict(expected):
        origin = get_origin(expected) or expected
        if not isinstance(origin, type) or not issubclass(dict, origin):
            return False
        args = get_args(expected)
        if len(args) != 2:
            return True
        values = typing.get_type_hints(produced)
        return all(_compatible(v, args[1]) for v in values.values())
    if not is_typeddict(produced):
        return False
    theirs = typing.get_type_hints(produced)
    ours = typing.get_type_hints(expected)
    for key, hint in ours.items():
        if key not in theirs:
            if key in expected.__required_keys__:
                return False
            continue
        if key in expected.__required_keys__ and key not in produced.__required_keys__:
            return False
        if not _compatible(theirs[key], hint):
            return False
    return True


def _generic(produced: Any, expected: Any, *, unknown: bool) -> bool:
    """Covariant comparison of parametrised containers where beartype declines."""
    p_origin, e_origin = get_origin(produced) or produced, get_origin(expected) or expected
    if not (isinstance(p_origin, type) and isinstance(e_origin, type)):
        return unknown
    try:
        if not issubclass(p_origin, e_origin):
            return False
    except TypeError:
        return unknown
    p_args, e_args = _args(produced), _args(expected)
    if not e_args:
        return True
    if not p_args:
        return True  # a bare `list` may hold anything
    if len(p_args) != len(e_args):
        if len(e_args) == 1:
            return all(_compatible(arg, e_args[0]) for arg in p_args)
        return unknown
    return all(_compatible(p, e) for p, e in zip(p_args, e_args, strict=True))


def _args(hint: Any) -> tuple[Any, ...]:
    args = get_args(hint)
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return (args[0],)
    return tuple(a for a in args if a is not Ellipsis)


def is_iterable_hint(hint: Any) -> bool | None:
    """Whether values of `hint` can be mapped over by `each` (None: cannot tell).

    Strings, bytes and mappings are iterable but are refused at run time, so they are
    not sequences here either.
    """
    hint = split_annotated(hint)[0]
    if _anything(hint) or isinstance(hint, typing.TypeVar):
        return None
    if _is_union(hint):
        answers = [is_iterable_hint(m) for m in get_args(hint)]
        if any(a is False for a in answers):
            return False
        return None if any(a is None for a in answers) else True
    if hint is None or hint is NoneType:
        return False
    if is_typeddict(hint):
        return False
    origin = get_origin(hint) or hint
    if not isinstance(origin, type):
        return None
    if issubclass(origin, _NOT_ITEMS):
        return False
    return issubclass(origin, collections.abc.Iterable)


def element_type(hint: Any) -> Any:
    """The element type of a sequence hint (`list[str]` → `str`), or Any when unknown."""
    hint = split_annotated(hint)[0]
    args = get_args(hint)
    origin = get_origin(hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        return typing.Union[args] if args else Any  # noqa: UP007 (a runtime union of members)
    if len(args) == 1:
        return args[0]
    return Any
