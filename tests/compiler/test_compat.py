"""Static type compatibility (LF102, LF105): beartype.door plus the rules a workflow needs."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import pytest

from liteflow import UpdateStrategy
from liteflow.compiler.compat import element_type, is_compatible, is_iterable_hint


class 用户(TypedDict):
    name: str
    age: int


class 同构用户(TypedDict):
    name: str
    age: int


class 名字(TypedDict):
    name: str


class 带可选(TypedDict):
    name: str
    nick: NotRequired[str]


class 文本年龄(TypedDict):
    name: str
    age: str


@pytest.mark.parametrize(("produced", "expected"), [
    (int, int), (int, float), (bool, int), (int, complex), (int, int | None),
    (Literal["a"], str), (list[int], list[float]), (list[int], Sequence[int]),
    (tuple[int, ...], Sequence[int]), (dict[str, int], Mapping[str, float]),
    (str, Iterable[str]), (list, list[int]), (Any, int), (int, Any), (int, object),
    (Annotated[int, UpdateStrategy.ADD], int), (list[Annotated[int, "x"]], list[int]),
    (用户, 用户), (用户, 同构用户), (用户, 名字), (用户, dict), (用户, dict[str, Any]),
    (用户, Mapping[str, object]), (list[用户], list[同构用户]), (名字, 带可选),
    ("ForwardRef", int),
])
def test_compatible(produced: Any, expected: Any) -> None:
    assert is_compatible(produced, expected)


@pytest.mark.parametrize(("produced", "expected"), [
    (str, int), (float, int), (int | None, int), (str, Literal["a"]), (list[str], list[int]),
    (dict[str, str], dict[str, int]), (tuple[int, str], Sequence[int]), (None, int),
    (用户, 文本年龄), (名字, 用户), (dict[str, Any], 用户), (用户, dict[str, str]),
    (list[用户], list[文本年龄]), (带可选, 用户),
])
def test_incompatible(produced: Any, expected: Any) -> None:
    assert not is_compatible(produced, expected)


@pytest.mark.parametrize(("hint", "iterable", "element"), [
    (list[str], True, str), (tuple[int, ...], True, int), (Sequence[float], True, float),
    (set[int], True, int), (str, False, Any), (bytes, False, Any), (dict[str, int], False, Any),
    (int, False, Any), (用户, False, Any), (list[str] | None, False, Any), (Any, None, Any),
])
def test_each_sequences(hint: Any, iterable: bool | None, element: Any) -> None:
    assert is_iterable_hint(hint) is iterable
    if iterable:
        assert element_type(hint) == element
