"""Runtime checkers: what fits a declared type, through isinstance or beartype's public API."""

from __future__ import annotations

import pickle
from typing import Annotated, Any, Literal, TypedDict

import pytest

from liteflow.core import typecheck
from liteflow.core.typecheck import make_checker


class Point(TypedDict):
    x: int


CASES: list[tuple[Any, Any, bool]] = [
    (int, 3, True),
    (int, "3", False),
    (float, 3, True),  # the numeric tower, as in mypy
    (list[int], [1, 2], True),
    (list[int], ["a"], False),
    (list[int], (1,), False),
    (dict[str, list[int]], {"a": [1]}, True),
    (dict[str, list[int]], {"a": ["x"]}, False),
    (int | None, None, True),
    (int | None, "x", False),
    (Literal["a", "b"], "a", True),
    (Literal["a", "b"], "c", False),
    (Point, {"x": 1}, True),
    (Point, [1], False),
    (Annotated[list[str], "meta"], ["s"], True),
    (list[float], [1, 2.5], True),
    (list[str], [], True),
    (list[bool], [1], False),
    (tuple[int, ...], (1, 2), True),
    (tuple[int, ...], [1, 2], False),
    (set[str], {"a"}, True),
    (set[str], {1}, False),
    (set[str], frozenset({"a"}), False),
    (frozenset[int], frozenset({1}), True),
    (dict[str, int], {}, True),
    (dict[str, int], {"a": 1}, True),
    (dict[str, int], {1: 1}, False),
    (dict[str, int], {"a": "b"}, False),
    (dict[str, float], {"a": 1}, True),
    (dict[str, int], [("a", 1)], False),
    (list[Point], [{"x": 1}], True),
    (list[Any], [object()], True),
]


@pytest.mark.parametrize(("hint", "value", "fits"), CASES)
def test_checkers_accept_exactly_what_fits(hint: Any, value: Any, fits: bool) -> None:
    check = make_checker(hint)
    assert check is not None
    assert check(value) is fits
    assert pickle.loads(pickle.dumps(check))(value) is fits


@pytest.mark.parametrize(("hint", "value", "fits"), CASES)
def test_the_beartype_tester_alone_gives_the_same_answers(hint: Any, value: Any,
                                                          fits: bool) -> None:
    # Rich hints that `make_checker` handles itself (containers of plain classes) must
    # also come out right from beartype's path, which every other hint takes.
    if isinstance(hint, type) and not typecheck.is_typeddict(hint):
        return  # plain classes never reach beartype
    assert typecheck._tester(hint)(value) is fits


@pytest.mark.parametrize(("hint", "value", "fits"), CASES)
def test_same_answers_as_beartype(hint: Any, value: Any, fits: bool) -> None:
    from beartype import BeartypeConf
    from beartype.door import is_bearable

    if not typecheck.is_typeddict(hint):
        assert is_bearable(value, hint, conf=BeartypeConf(is_pep484_tower=True)) is fits


def test_containers_are_checked_in_constant_time_by_their_last_element() -> None:
    check = make_checker(list[int])
    assert check is not None
    assert check([*range(10**6)])
    assert not check([*range(10**6), "late"])
    check = make_checker(tuple[int, ...])
    assert check is not None and not check((1, "x"))


def test_anything_fits_any() -> None:
    assert make_checker(Any) is None
    assert make_checker(object) is None
