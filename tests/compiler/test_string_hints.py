"""Postponed (string) annotations: resolved like `typing.get_type_hints`, quickly."""

from __future__ import annotations

import itertools
import typing
from typing import Annotated, Literal, TypedDict

import pytest

from liteflow import FlowCompileError, UpdateStrategy, flow, node
from liteflow.definitions.spec import function_hints


class Module(TypedDict):
    total: int


def test_hints_match_get_type_hints() -> None:
    class Local(TypedDict):
        names: Annotated[list[str], UpdateStrategy.APPEND]

    def f(a: int, b: list[Module] | None, c: Literal["x", "y"], d: dict[str, tuple[int, ...]],
          e: Annotated[Local, "meta"], g: None = None) -> Local:
        raise NotImplementedError

    namespace = {"Local": Local}
    expected = typing.get_type_hints(f, localns=namespace, include_extras=True)
    assert function_hints(f, namespace) == expected
    assert function_hints(f, namespace)["e"] == Annotated[Local, "meta"]


def test_nested_forward_references_take_typings_path() -> None:
    def f(a: list["Module"]) -> Module:  # noqa: UP037 - the quoted name is the point
        raise NotImplementedError

    assert function_hints(f)["a"] == list[Module]


def test_locals_shadow_globals_and_each_factory_call_resolves_its_own() -> None:
    def make(first: bool) -> object:
        if first:
            class Module(TypedDict):  # shadows the module-level class
                a: int
        else:
            class Module(TypedDict):  # type: ignore[no-redef]
                b: str

        def step(x: int) -> Module:
            raise NotImplementedError

        return node(step)

    one, two = make(True), make(False)
    assert [o.name for o in one.spec.outputs] == ["a"]  # type: ignore[attr-defined]
    assert [o.name for o in two.spec.outputs] == ["b"]  # type: ignore[attr-defined]


def test_an_unresolvable_string_hint_is_lf100_with_typings_message() -> None:
    with pytest.raises(FlowCompileError) as caught:
        @node
        def 坏(x: NoSuchType) -> Module:  # type: ignore[name-defined]  # noqa: F821
            raise NotImplementedError

    assert caught.value.diagnostics[0].code == "LF100"
    assert "NoSuchType" in str(caught.value)


def test_factory_nodes_with_string_hints_run() -> None:
    def make(i: int) -> object:
        def step(total: int) -> Module:
            return {"total": total + i}

        step.__name__ = f"步骤{i}"
        return node(step)

    steps = [make(i) for i in range(5)]

    @flow(output=Module)
    def 累加(total: int) -> None:
        for a, b in itertools.pairwise(steps):
            a >> b  # type: ignore[operator]

    assert 累加.run(total=0).output == {"total": 10}
