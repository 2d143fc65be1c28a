"""One cached runtime checker per declared type, built once at compile time.

Plain classes are checked with `isinstance` (the common case, and the fastest);
anything richer (generics, unions, TypedDicts, Literal ...) goes through
`beartype.door`, which checks containers in O(1) by sampling one element.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from typing_extensions import is_typeddict

__all__ = ["Checker", "describe_type", "describe_value", "make_checker"]

Checker = Callable[[Any], bool]

# int is acceptable where float is declared, as in mypy (PEP 484's numeric tower).
_TOWER: dict[type, tuple[type, ...]] = {float: (int, float), complex: (int, float, complex)}


@lru_cache(maxsize=4096)
def _checker_for(hint: Any) -> Checker | None:
    if hint is Any or hint is object:
        return None
    if isinstance(hint, type) and not is_typeddict(hint) and not _is_generic_alias(hint):
        accepted = _TOWER.get(hint, hint)

        def check_instance(value: Any, accepted: Any = accepted) -> bool:
            return isinstance(value, accepted)

        return check_instance
    if hint is None or hint is type(None):
        return _is_none

    # beartype loads on the first rich hint, keeping `import liteflow` light.
    from beartype import BeartypeConf
    from beartype.door import is_bearable

    conf = BeartypeConf(is_pep484_tower=True)

    def check_hint(value: Any) -> bool:
        return is_bearable(value, hint, conf=conf)

    return check_hint


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
        return hint.__qualname__
    return repr(hint).replace("typing.", "")


def describe_value(value: Any, limit: int = 60) -> str:
    """`type: repr` of a value, shortened, for error messages."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{type(value).__qualname__} {text}"
