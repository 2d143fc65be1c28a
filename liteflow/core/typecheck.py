"""One cached runtime checker per declared type, built once at compile time.

Plain classes are checked with `isinstance` (the common case, and the fastest);
anything richer (generics, unions, Literal ...) goes through beartype (its public
decorator), which checks containers in O(1) by sampling one element. A hint containing a
TypedDict is checked field by field (`deep_typecheck`), since beartype takes a TypedDict
for a plain mapping.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

from typing_extensions import is_typeddict

from .deep_typecheck import contains_typeddict, deep_checker
from .reprs import typed_repr

__all__ = ["Checker", "describe_type", "describe_value", "make_checker", "shallow_checker"]

Checker = Callable[[Any], bool]

def _is_real(value: Any) -> bool:
    # int is acceptable where float is declared, as in mypy (PEP 484's numeric tower).
    return isinstance(value, int | float)


def _is_complex(value: Any) -> bool:
    return isinstance(value, int | float | complex)


_TOWER: dict[type, Checker] = {float: _is_real, complex: _is_complex}


class _HintCheck:
    """A beartype check of one rich hint; picklable, so plans can travel to workers."""

    __slots__ = ("_hint", "_test")

    def __init__(self, hint: Any) -> None:
        self._hint = hint
        self._test = _tester(hint)

    def __call__(self, value: Any) -> bool:
        return self._test(value)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_HintCheck, (self._hint,))


def _tester(hint: Any) -> Checker:
    """A check of one rich hint through beartype's public decorator.

    `@beartype` compiles a type-checking wrapper once; calling it is one C-level call
    plus the generated check, as fast as beartype's internal testers and several times
    faster than `is_bearable`, which looks its tester up on every call.
    """
    # beartype loads on the first rich hint, keeping `import liteflow` light.
    from beartype import BeartypeConf, beartype
    from beartype.roar import BeartypeCallHintParamViolation

    def probe(value: Any) -> None:
        return None

    probe.__annotations__ = {"value": hint, "return": None}
    checked = beartype(conf=BeartypeConf(is_pep484_tower=True))(probe)

    def test(value: Any) -> bool:
        try:
            checked(value)
        except BeartypeCallHintParamViolation:
            return False
        return True

    return test


@lru_cache(maxsize=4096)
def _checker_for(hint: Any) -> Checker | None:
    if hint is Any or hint is object:
        return None
    if _is_plain(hint):
        # The bound C method is the fastest check there is, and it pickles.
        return _TOWER.get(hint) or hint.__instancecheck__
    if hint is None or hint is type(None):
        return _is_none
    if contains_typeddict(hint):
        return deep_checker(hint)  # field by field, see deep_typecheck
    return shallow_checker(hint)


def shallow_checker(hint: Any) -> Checker:
    """A check of a rich hint that takes a TypedDict for a plain mapping (beartype's view)."""
    return _container_check(hint) or _HintCheck(hint)


def _container_check(hint: Any) -> Checker | None:
    """`list[C]`, `set[C]`, `tuple[C, ...]`, `dict[K, V]`, `C | D` of plain classes: the commonest
    rich hints of node outputs, checked like beartype does (the container, then one
    element: O(1)) but in one call, several times faster. None for anything else."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list and len(args) == 1 and _is_plain(args[0]):
        return functools.partial(_sequence_of, list, _TOWER_CLASSES.get(args[0], args[0]))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis and _is_plain(args[0]):
        return functools.partial(_sequence_of, tuple, _TOWER_CLASSES.get(args[0], args[0]))
    if origin in (set, frozenset) and len(args) == 1 and _is_plain(args[0]):
        return functools.partial(_set_of, origin, _TOWER_CLASSES.get(args[0], args[0]))
    if origin in (typing.Union, types.UnionType) and all([_is_plain(arg) for arg in args]):
        # `int | None`, `str | int`: one isinstance against a tuple of classes.
        classes = tuple({c: None for arg in args for c in _TOWER_CLASSES.get(arg, (arg,))})
        return functools.partial(_instance_of, classes)
    if origin is dict and len(args) == 2 and _is_plain(args[0]) and _is_plain(args[1]):
        return functools.partial(_dict_of, _TOWER_CLASSES.get(args[0], args[0]),
                                 _TOWER_CLASSES.get(args[1], args[1]))
    return None


def _is_plain(hint: Any) -> bool:
    return (isinstance(hint, type) and hint is not Any and not is_typeddict(hint)
            and not _is_generic_alias(hint))


_TOWER_CLASSES: dict[Any, tuple[type, ...]] = {float: (int, float), complex: (int, float, complex)}


def _instance_of(classes: tuple[type, ...], value: Any) -> bool:
    return isinstance(value, classes)


# The element checked is the last one: in O(1), and the newest in an appended list.
def _sequence_of(kind: type[Sequence[Any]], item: Any, value: Any) -> bool:
    return isinstance(value, kind) and (not value or isinstance(value[-1], item))


def _set_of(kind: type[AbstractSet[Any]], item: Any, value: Any) -> bool:
    return isinstance(value, kind) and (not value or isinstance(next(iter(value)), item))


def _dict_of(key: Any, item: Any, value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    for k, v in value.items():  # the first item only
        return isinstance(k, key) and isinstance(v, item)
    return True


def make_checker(hint: Any) -> Checker | None:
    """A predicate telling whether a value fits `hint`; None when anything fits."""
    try:
        return _checker_for(hint)
    except TypeError:  # unhashable hint: build it uncached
        return _checker_for.__wrapped__(hint)


def _is_none(value: Any) -> bool:
    return value is None


def _is_generic_alias(hint: Any) -> bool:
    return typing.get_origin(hint) is not None


def describe_type(hint: Any) -> str:
    """A short, readable name for a type hint (`list[str]`, `评审`, `int | None`)."""
    if isinstance(hint, type) and not _is_generic_alias(hint):
        return "None" if hint is type(None) else hint.__qualname__
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join([describe_type(arg) for arg in args])
    if origin is typing.Annotated or origin in _QUALIFIERS:
        return describe_type(args[0])
    if isinstance(origin, type) and args:
        # Class names without their modules: `list[作者]`, not `list[papers.作者]`.
        return f"{origin.__qualname__}[{', '.join([_describe_arg(arg) for arg in args])}]"
    return repr(hint).replace("typing.", "")


def _describe_arg(arg: Any) -> str:
    if arg is Ellipsis:
        return "..."
    if isinstance(arg, list):  # Callable's parameters
        return f"[{', '.join([_describe_arg(a) for a in arg])}]"
    return describe_type(arg)


_QUALIFIERS = (typing.Required, typing.NotRequired)


describe_value = typed_repr
