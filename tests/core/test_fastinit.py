"""`fast_init`: the same constructor as the dataclass's, and the instance stays frozen."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from liteflow.core.fastinit import fast_init


@fast_init
@dataclass(frozen=True, slots=True)
class Narrow:
    a: int
    b: str = "b"
    c: list[int] = field(default_factory=list)


@fast_init
@dataclass(frozen=True, slots=True)
class Wide:
    f0: int
    f1: int
    f2: int
    f3: int
    f4: int
    f5: int
    f6: int
    f7: int
    f8: int
    f9: int = 9
    tags: list[str] = field(default_factory=list)
    hidden: int = field(default=7, init=False)


class WideChild(Wide):
    __slots__ = ()


@pytest.mark.parametrize("make", [
    lambda: Narrow(1),
    lambda: Wide(*range(9)),
    lambda: WideChild(*range(9)),
])
def test_instances_are_frozen_and_complete(make: object) -> None:
    value = make()  # type: ignore[operator]
    first = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, 99)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(value, first)
    again = pickle.loads(pickle.dumps(value))
    assert again == value and type(again) is type(value)
    assert copy.copy(value) == value and copy.deepcopy(value) == value
    assert dataclasses.replace(value) == value


def test_wide_init_matches_the_dataclass_semantics() -> None:
    value = Wide(0, 1, 2, 3, 4, 5, 6, 7, f8=8, tags=["x"])
    assert [getattr(value, f"f{i}") for i in range(10)] == list(range(10))
    assert value.tags == ["x"] and value.hidden == 7
    assert type(value) is Wide
    assert Wide(*range(9)).tags is not Wide(*range(9)).tags  # a fresh default each time
    assert type(WideChild(*range(9))) is WideChild
    with pytest.raises(TypeError):
        Wide(1, 2)  # type: ignore[call-arg]


def test_narrow_init_matches_the_dataclass_semantics() -> None:
    value = Narrow(1, c=[2])
    assert (value.a, value.b, value.c) == (1, "b", [2])
    assert Narrow(1).c is not Narrow(1).c
    assert Narrow(1) == Narrow(1) and Narrow(1) != Narrow(2)
