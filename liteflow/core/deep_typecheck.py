"""Field-by-field checks of TypedDict values, wherever a hint nests them.

beartype checks a TypedDict as a plain mapping, so a wrong field used to pass a node's
boundary and fail later inside the node. A hint that contains a TypedDict (`论文`,
`list[论文]`, `dict[str, 论文]`, `论文 | None`, fields that are TypedDicts ...) is compiled
here, once, into a checker that walks the declared fields; every other hint keeps its O(1)
checker from `typecheck`. When a check fails, `find_mismatch` (slow, on the error path
only) names the first wrong place: `paper.authors[2].name`.

Lists, tuples and dicts of TypedDicts are checked item by item up to `DEEP_ITEMS` items;
longer ones by their last `DEEP_ITEMS` items, the newest ones (an appended list's new items
are always among them), so a check costs O(min(n, DEEP_ITEMS)) and a long history read in
every superstep does not make a loop quadratic. Extra keys in a TypedDict value are allowed,
as in structural typing.
"""

from __future__ import annotations

import collections.abc as abc
import functools
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Annotated, Any, Literal, NamedTuple, TypeVar, Union, get_args, get_origin

import typing_extensions
from typing_extensions import is_typeddict

from .pydantic_hints import typeddict_fields
from .reprs import typed_repr

__all__ = ["DEEP_ITEMS", "Mismatch", "contains_typeddict", "deep_checker", "find_mismatch",
           "mismatch_error"]

DEEP_ITEMS = 1000

Checker = Callable[[Any], bool]
E = TypeVar("E", bound=Exception)

_QUALIFIERS = frozenset({typing.Required, typing.NotRequired, typing_extensions.Required,
                         typing_extensions.NotRequired, typing_extensions.ReadOnly})
_UNIONS = (Union, types.UnionType)
# Container origins walked item by item, with the class a value must be an instance of.
_SEQUENCES: dict[Any, type] = {list: list, abc.Sequence: abc.Sequence,
                               abc.MutableSequence: abc.MutableSequence}
_MAPPINGS: dict[Any, type] = {dict: dict, abc.Mapping: abc.Mapping,
                              abc.MutableMapping: abc.MutableMapping}


def contains_typeddict(hint: Any) -> bool:
    """Whether a TypedDict appears anywhere in `hint` (the hints that get deep checks)."""
    if is_typeddict(hint):
        return True
    origin = get_origin(hint)
    if origin is None or origin is Literal:
        return False
    args = get_args(hint)
    if origin is Annotated:
        args = args[:1]
    return any(contains_typeddict(arg) for arg in args)


def deep_checker(hint: Any) -> Checker | None:
    """A checker of a hint that contains a TypedDict; None when anything fits."""
    return _compile(hint, {})


def _leaf(hint: Any) -> Checker | None:
    from .typecheck import make_checker  # typecheck dispatches here: import late

    return make_checker(hint)


def _shallow(hint: Any) -> Checker:
    from .typecheck import shallow_checker

    return shallow_checker(hint)


def _compile(hint: Any, memo: dict[int, Checker]) -> Checker | None:
    if not contains_typeddict(hint):
        return _leaf(hint)
    if is_typeddict(hint):
        return _typeddict(hint, memo)
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is Annotated or origin in _QUALIFIERS:
        return _compile(args[0], memo)
    if origin in _UNIONS:
        members = [_compile(arg, memo) for arg in args]
        checks = tuple([member for member in members if member is not None])
        if len(checks) < len(members):
            return None  # one member takes anything
        return functools.partial(_any_of, checks)
    item = _item_hint(origin, args)
    if item is not None:
        kind = _SEQUENCES.get(origin, tuple)
        check = _compile(item, memo)
        return functools.partial(_items, kind, _always if check is None else check)
    if origin is tuple:
        return functools.partial(_fixed, tuple([_compile(arg, memo) for arg in args]))
    if origin in _MAPPINGS and len(args) == 2:
        key, value = (_compile(arg, memo) for arg in args)
        return functools.partial(_mapping, _MAPPINGS[origin], key,
                                 _always if value is None else value)
    return _shallow(hint)  # another generic (Callable, Iterator ...): beartype's own check


def _typeddict(hint: Any, memo: dict[int, Checker]) -> Checker | None:
    found = memo.get(id(hint))
    if found is not None:
        return found  # a recursive TypedDict: its checker is being built
    try:
        declared = typeddict_fields(hint)
    except Exception:  # an unresolvable annotation: the compiler reports what it must
        return _shallow(hint)
    # Fields of plain classes (and unions of them) are checked inline by one isinstance;
    # the others by their checker. The lists are filled after the checker exists, so a
    # recursive TypedDict finds it in `memo`.
    plain: list[tuple[str, tuple[type, ...], bool]] = []
    rich: list[tuple[str, Checker, bool]] = []
    check = memo[id(hint)] = functools.partial(_fields, plain, rich)
    for key, field, required in declared:
        classes = _classes(field)
        if classes is not None:
            plain.append((key, classes, required))
            continue
        field_check = _compile(field, memo)
        if field_check is not None:
            rich.append((key, field_check, required))
        elif required:
            plain.append((key, (object,), True))
    return check


def _classes(hint: Any) -> tuple[type, ...] | None:
    """The classes a value of `hint` may be an instance of, when that is all there is to it
    (`str`, `int | None`, `float`); None for any other hint."""
    origin = get_origin(hint)
    if origin is Annotated or origin in _QUALIFIERS:
        return _classes(get_args(hint)[0])
    members = get_args(hint) if origin in _UNIONS else (hint,)
    found: list[type] = []
    for member in members:
        if member is None:
            member = type(None)
        if (not isinstance(member, type) or get_origin(member) is not None
                or is_typeddict(member) or member is object):
            return None
        found += [int, float] if member is float else [int, float, complex] if (
            member is complex) else [member]
    return tuple(dict.fromkeys(found))


def _item_hint(origin: Any, args: tuple[Any, ...]) -> Any:
    """The item type of a homogeneous sequence hint (`list[T]`, `tuple[T, ...]` ...)."""
    if origin in _SEQUENCES and len(args) == 1:
        return args[0]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def _always(value: Any) -> bool:
    return True


def _fields(plain: list[tuple[str, tuple[type, ...], bool]],
            rich: list[tuple[str, Checker, bool]], value: Any) -> bool:
    if type(value) is not dict and not isinstance(value, Mapping):
        return False
    for key, classes, required in plain:
        if key in value:
            if not isinstance(value[key], classes):
                return False
        elif required:
            return False
    for key, check, required in rich:
        if key in value:
            if not check(value[key]):
                return False
        elif required:
            return False
    return True


def _any_of(members: tuple[Checker, ...], value: Any) -> bool:
    for member in members:
        if member(value):
            return True
    return False


def _items(kind: type, check: Checker, value: Any) -> bool:
    if not isinstance(value, kind):
        return False
    if type(value) is list and len(value) <= DEEP_ITEMS:  # the common case, inline
        return all(map(check, value))
    return all(map(check, _window(value)))


def _fixed(checks: tuple[Checker | None, ...], value: Any) -> bool:
    if not isinstance(value, tuple) or len(value) != len(checks):
        return False
    return all([check is None or check(item) for check, item in zip(checks, value, strict=True)])


def _mapping(kind: type, key: Checker | None, check: Checker, value: Any) -> bool:
    if not isinstance(value, kind):
        return False
    if key is None:
        return all(map(check, _window_values(value)))
    return all([key(k) and check(v) for k, v in _window_items(value)])


def _window(value: Any) -> Any:
    """The items of a sequence that are checked: all, or the last `DEEP_ITEMS`."""
    n = len(value)
    if n <= DEEP_ITEMS:
        return value
    if isinstance(value, list | tuple):
        return value[n - DEEP_ITEMS:]
    return (value[i] for i in range(n - DEEP_ITEMS, n))


def _window_indices(value: Any) -> range:
    n = len(value)
    return range(max(0, n - DEEP_ITEMS), n)


def _window_items(value: Any) -> Iterable[tuple[Any, Any]]:
    """The items of a mapping that are checked: all, or the last `DEEP_ITEMS` inserted."""
    if len(value) <= DEEP_ITEMS:
        return value.items()  # type: ignore[no-any-return]
    try:
        return islice(reversed(value.items()), DEEP_ITEMS)
    except TypeError:  # a mapping without an order to reverse: its first items
        return islice(value.items(), DEEP_ITEMS)


def _window_values(value: Any) -> Iterable[Any]:
    if len(value) <= DEEP_ITEMS:
        return value.values()  # type: ignore[no-any-return]
    return (v for _, v in islice(_window_items(value), DEEP_ITEMS))


class Mismatch(NamedTuple):
    """Where a value first departs from its hint: the path, the type expected there, and
    what is there (`missing`: a required field is absent)."""

    path: str
    expected: str
    actual: str
    missing: bool = False


def find_mismatch(hint: Any, value: Any, path: str) -> Mismatch | None:
    """The first place where `value` (named `path`) does not fit `hint`; None when it fits.

    Uses the same checkers as the boundary checks, so it finds what they rejected.
    """
    check = _leaf(hint)
    if check is None or check(value):
        return None
    return _where(hint, value, path)


def _fits(hint: Any, value: Any) -> bool:
    check = _leaf(hint)
    return check is None or check(value)


def _where(hint: Any, value: Any, path: str) -> Mismatch:
    """Where `value`, which does not fit `hint`, goes wrong."""
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is Annotated or origin in _QUALIFIERS:
        return _where(args[0], value, path)
    here = Mismatch(path, _describe(hint), typed_repr(value))
    if not contains_typeddict(hint) or not _shape_fits(hint, value):
        return here
    if is_typeddict(hint):
        try:
            declared = typeddict_fields(hint)
        except Exception:
            return here
        for key, field, required in declared:
            inner = f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"
            if key not in value:
                if required:
                    return Mismatch(inner, _describe(field), "", missing=True)
            elif not _fits(field, value[key]):
                return _where(field, value[key], inner)
        return here
    if origin in _UNIONS:
        # Descend into the one alternative the value is shaped like (`论文 | None` given a dict).
        shaped = [arg for arg in args if contains_typeddict(arg) and _shape_fits(arg, value)]
        return _where(shaped[0], value, path) if len(shaped) == 1 else here
    item = _item_hint(origin, args)
    if item is not None:
        for i in _window_indices(value):
            if not _fits(item, value[i]):
                return _where(item, value[i], f"{path}[{i}]")
        return here
    if origin is tuple:
        for i, (arg, element) in enumerate(zip(args, value, strict=True)):
            if not _fits(arg, element):
                return _where(arg, element, f"{path}[{i}]")
        return here
    if origin in _MAPPINGS and len(args) == 2:
        for k, v in _window_items(value):
            if not _fits(args[0], k):
                return Mismatch(f"{path}[{k!r}]", _describe(args[0]), typed_repr(k))
            if not _fits(args[1], v):
                return _where(args[1], v, f"{path}[{k!r}]")
    return here


def _shape_fits(hint: Any, value: Any) -> bool:
    """Whether `value` has the outer shape of `hint` (a mapping for a TypedDict ...)."""
    origin = get_origin(hint)
    if origin is Annotated or origin in _QUALIFIERS:
        return _shape_fits(get_args(hint)[0], value)
    if is_typeddict(hint):
        return isinstance(value, Mapping)
    if origin in _SEQUENCES:
        return isinstance(value, _SEQUENCES[origin])
    if origin is tuple:
        args = get_args(hint)
        return isinstance(value, tuple) and (_item_hint(origin, args) is not None
                                             or len(value) == len(args))
    if origin in _MAPPINGS:
        return isinstance(value, _MAPPINGS[origin])
    return origin in _UNIONS


def _describe(hint: Any) -> str:
    from .typecheck import describe_type

    return describe_type(hint)


# Each boundary's message and its two field-level variants: a wrong field, a missing one.
_FIELD_MESSAGES = {
    "error.node_input_type": ("error.node_input_field_type", "error.node_input_field_missing"),
    "error.node_output_type": ("error.node_output_field_type",
                               "error.node_output_field_missing"),
    "error.flow_input_type": ("error.flow_input_field_type", "error.flow_input_field_missing"),
    "error.flow_output_type": ("error.flow_output_field_type",
                               "error.flow_output_field_missing"),
}


def mismatch_error(cls: Callable[..., E], msg_id: str, hint: Any, type_name: str, value: Any,
                   key: str, **names: Any) -> E:
    """The error for `value` of `key` failing its check: naming the wrong field's path,
    expected and actual type when the wrong place is inside a TypedDict, else the value."""
    found = find_mismatch(hint, value, key) if contains_typeddict(hint) else None
    if found is None or found.path == key or msg_id not in _FIELD_MESSAGES:
        return cls(msg_id, key=key, expected=type_name, actual=typed_repr(value), **names)
    wrong, missing = _FIELD_MESSAGES[msg_id]
    if found.missing:
        return cls(missing, key=key, path=found.path, expected=found.expected, **names)
    return cls(wrong, key=key, path=found.path, expected=found.expected, actual=found.actual,
               **names)
