"""Nodes made by one factory (one code object, many functions): each keeps what is its own.

No `from __future__ import annotations` here: the annotations are real objects, as in a
module that builds its nodes in a loop.
"""

import inspect
from typing import Any, TypedDict

from liteflow import node
from liteflow.definitions.node import NodeFunction


class Count(TypedDict):
    count: int


class Label(TypedDict):
    label: str


def _maker(out: Any) -> Any:
    def make(i: int, *, asynchronous: bool = False) -> NodeFunction[..., Any]:
        if asynchronous:
            async def step_async(count: int) -> out:
                return {"count": count + i}

            step_async.__name__ = f"异步{i}"
            return node(step_async)

        def step(count: int) -> out:
            return {"count": count + i}

        step.__name__ = f"步骤{i}"
        return node(step)

    return make


def test_nodes_of_one_factory_declare_the_same_keys() -> None:
    make = _maker(Count)
    a, b = make(1), make(2)
    assert a.spec.inputs == b.spec.inputs
    assert [o.name for o in a.spec.outputs] == [o.name for o in b.spec.outputs] == ["count"]
    assert (a.name, b.name) == ("步骤1", "步骤2")
    assert a.spec.fn is not b.spec.fn
    assert b.spec.file == __file__ and b.spec.line == a.spec.line
    assert b(count=1) == {"count": 3}


def test_a_factory_call_with_other_annotations_reads_them() -> None:
    make = _maker(Count)
    first = make(1)
    # Same code object, another return annotation: its outputs, not the remembered ones.
    second = _maker(Label)(1)
    third = make(2)
    assert first.spec.fn.__code__ is second.spec.fn.__code__
    assert [o.name for o in second.spec.outputs] == ["label"]
    assert [o.name for o in third.spec.outputs] == ["count"]


def test_one_code_object_with_changing_annotations() -> None:
    def make(out: Any) -> NodeFunction[..., Any]:
        def step(count: int) -> out:
            return {"count": count}

        return node(step)

    counted, labelled, counted_again = make(Count), make(Label), make(Count)
    assert counted.spec.fn.__code__ is labelled.spec.fn.__code__
    assert [o.name for o in counted.spec.outputs] == ["count"]
    assert [o.name for o in labelled.spec.outputs] == ["label"]
    assert [o.name for o in counted_again.spec.outputs] == ["count"]


def test_each_node_keeps_its_own_defaults() -> None:
    def make(start: int) -> NodeFunction[..., Any]:
        def step(count: int = start) -> Count:
            return {"count": count}

        return node(step)

    one, two = make(1), make(2)
    assert [i.default for i in one.spec.inputs] == [1]
    assert [i.default for i in two.spec.inputs] == [2]
    assert not two.spec.inputs[0].required


def test_a_changed_signature_or_keyword_default_is_read_anew() -> None:
    def make() -> Any:
        def step(count: int, *, extra: int = 0) -> Count:
            return {"count": count + extra}

        return step

    plain = node(make())
    assert [i.name for i in plain.spec.inputs] == ["count", "extra"]

    changed = make()
    changed.__kwdefaults__ = {"extra": 5}
    assert [i.default for i in node(changed).spec.inputs] == [None, 5]

    def narrower(count: int) -> Count:
        raise NotImplementedError

    overridden = make()
    overridden.__signature__ = inspect.signature(narrower)
    assert [i.name for i in node(overridden).spec.inputs] == ["count"]


def test_async_and_fallback_are_per_node() -> None:
    make = _maker(Count)
    sync, asynchronous = make(1), make(2, asynchronous=True)
    assert not sync.spec.is_async and asynchronous.spec.is_async

    def backup(count: int) -> Count:
        return {"count": -1}

    def make_plain(i: int) -> Any:
        def step(count: int) -> Count:
            return {"count": count + i}

        return step

    node(make_plain(0))
    guarded = node(fallback=backup)(make_plain(1))
    assert guarded.spec.fallback_spec is not None
    assert guarded.spec.fallback_spec.name.endswith(".fallback")
