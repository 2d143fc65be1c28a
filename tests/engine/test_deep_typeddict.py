"""TypedDict values are checked field by field at node and flow boundaries, and a wrong field
is named by its path (`paper.authors[2].name`)."""

from __future__ import annotations

import itertools
import os
import pickle
import typing
from dataclasses import dataclass
from typing import Any, NotRequired, Required, TypedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liteflow import START, Context, each, flow, node
from liteflow.checkpoint import MemoryCheckpointer
from liteflow.core.deep_typecheck import DEEP_ITEMS, find_mismatch
from liteflow.core.errors import FlowInputError, FlowOutputError, NodeTypeError, ResumeValueError
from liteflow.core.typecheck import make_checker

EXAMPLES = int(os.environ.get("LITEFLOW_DEEP_CHECK_EXAMPLES", "150"))


class 作者(TypedDict):
    name: str
    email: NotRequired[str]


class 论文(TypedDict):
    title: str
    authors: list[作者]
    year: int | None


class 索引(TypedDict):
    papers: dict[str, 论文]


class 选项(TypedDict, total=False):
    depth: int
    tag: Required[str]


class 树(TypedDict):
    label: str
    children: list[树]


class 审批(TypedDict):
    approved: bool
    comment: str
    reviewer: 作者


def _paper(*names: Any) -> dict[str, Any]:
    return {"title": "T", "authors": [{"name": n} for n in names], "year": 2024}


# --- the checker against a hand-written reference, on random shapes and values ------------

@dataclass(frozen=True)
class Leaf:
    cls: type


@dataclass(frozen=True)
class ListOf:
    item: Shape


@dataclass(frozen=True)
class TupleOf:
    item: Shape


@dataclass(frozen=True)
class DictOf:
    item: Shape


@dataclass(frozen=True)
class Opt:
    item: Shape


@dataclass(frozen=True)
class Either:
    first: Shape
    second: Shape


@dataclass(frozen=True)
class TD:
    fields: tuple[tuple[str, Shape, bool], ...]  # (key, shape, required)
    total: bool
    cls: Any


Shape = Leaf | ListOf | TupleOf | DictOf | Opt | Either | TD
_names = itertools.count()


def _hint(shape: Shape) -> Any:
    if isinstance(shape, Leaf):
        return shape.cls
    if isinstance(shape, ListOf):
        return list[_hint(shape.item)]  # type: ignore[misc]
    if isinstance(shape, TupleOf):
        return tuple[_hint(shape.item), ...]  # type: ignore[misc]
    if isinstance(shape, DictOf):
        return dict[str, _hint(shape.item)]  # type: ignore[misc]
    if isinstance(shape, Opt):
        return typing.Optional[_hint(shape.item)]  # noqa: UP045 - built at run time
    if isinstance(shape, Either):
        return typing.Union[_hint(shape.first), _hint(shape.second)]  # noqa: UP007
    return shape.cls


def _typeddict(fields: list[tuple[str, Shape, bool]], total: bool) -> TD:
    declared = {}
    for key, shape, required in fields:
        hint = _hint(shape)
        if required != total:  # only where the default of `total` does not already say it
            hint = Required[hint] if required else NotRequired[hint]
        declared[key] = hint
    make: Any = TypedDict
    cls = make(f"形状{next(_names)}", declared, total=total)
    return TD(tuple(fields), total, cls)


_KEYS = st.sampled_from(["a", "b", "名字", "x-y", "c"])
leaves = st.sampled_from([Leaf(int), Leaf(str), Leaf(float), Leaf(bool), Leaf(type(None))])


@st.composite
def typeddicts(draw: st.DrawFn, inner: st.SearchStrategy[Shape]) -> TD:
    keys = draw(st.lists(_KEYS, unique=True, max_size=4))
    total = draw(st.booleans())
    fields = [(k, draw(inner), draw(st.booleans())) for k in keys]
    return _typeddict(fields, total)


def _extend(inner: st.SearchStrategy[Shape]) -> st.SearchStrategy[Shape]:
    return st.one_of(inner.map(ListOf), inner.map(TupleOf), inner.map(DictOf), inner.map(Opt),
                     st.builds(Either, inner, inner), typeddicts(inner))


shapes = st.recursive(leaves, _extend, max_leaves=8)
top_shapes = st.one_of(typeddicts(shapes), shapes.map(ListOf).flatmap(
    lambda s: typeddicts(st.just(s))), typeddicts(shapes).map(lambda t: ListOf(t)),
    typeddicts(shapes).map(lambda t: Opt(t)))


def has_td(shape: Shape) -> bool:
    if isinstance(shape, TD):
        return True
    if isinstance(shape, Leaf):
        return False
    if isinstance(shape, Either):
        return has_td(shape.first) or has_td(shape.second)
    return has_td(shape.item)


def conforms(shape: Shape, value: Any) -> bool:
    """The reference: does `value` fit `shape`, every item and field looked at."""
    if isinstance(shape, Leaf):
        if shape.cls is float:
            return isinstance(value, int | float)
        return isinstance(value, shape.cls)
    if isinstance(shape, ListOf):
        return isinstance(value, list) and all(conforms(shape.item, v) for v in value)
    if isinstance(shape, TupleOf):
        return isinstance(value, tuple) and all(conforms(shape.item, v) for v in value)
    if isinstance(shape, DictOf):
        return isinstance(value, dict) and all(
            isinstance(k, str) and conforms(shape.item, v) for k, v in value.items())
    if isinstance(shape, Opt):
        return value is None or conforms(shape.item, value)
    if isinstance(shape, Either):
        return conforms(shape.first, value) or conforms(shape.second, value)
    if not isinstance(value, dict):
        return False
    for key, field, required in shape.fields:
        if key in value:
            if not conforms(field, value[key]):
                return False
        elif required:
            return False
    return True


def _shaped(shape: Shape, value: Any) -> bool:
    """Whether `value` has the outer form of a TypedDict-holding `shape`."""
    if isinstance(shape, TD | DictOf):
        return isinstance(value, dict)
    if isinstance(shape, ListOf):
        return isinstance(value, list)
    if isinstance(shape, TupleOf):
        return isinstance(value, tuple)
    return False


def _alternatives(shape: Shape) -> list[Shape]:
    if isinstance(shape, Opt):
        return [*_alternatives(shape.item), Leaf(type(None))]
    if isinstance(shape, Either):
        return [*_alternatives(shape.first), *_alternatives(shape.second)]
    return [shape]


def first_wrong(shape: Shape, value: Any, path: str) -> tuple[str, bool]:
    """The reference path of the first wrong place of a value that does not fit:
    fields in declaration order, items in order; a union is entered when exactly one of its
    TypedDict-holding members has the value's outer form."""
    if not has_td(shape):
        return path, False
    if isinstance(shape, Opt | Either):
        shaped = [a for a in _alternatives(shape) if has_td(a) and _shaped(a, value)]
        return first_wrong(shaped[0], value, path) if len(shaped) == 1 else (path, False)
    if not _shaped(shape, value):
        return path, False
    if isinstance(shape, TD):
        for key, field, required in shape.fields:
            inner = f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]"
            if key not in value:
                if required:
                    return inner, True
            elif not conforms(field, value[key]):
                return first_wrong(field, value[key], inner)
    elif isinstance(shape, ListOf | TupleOf):
        for i, v in enumerate(value):
            if not conforms(shape.item, v):
                return first_wrong(shape.item, v, f"{path}[{i}]")
    else:
        assert isinstance(shape, DictOf)
        for k, v in value.items():
            if not conforms(shape.item, v):
                return first_wrong(shape.item, v, f"{path}[{k!r}]")
    raise AssertionError("first_wrong called with a value that fits")


junk = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.booleans(),
                 st.floats(allow_nan=False), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                 st.tuples(st.integers()))


def good(draw: st.DrawFn, shape: Shape) -> Any:
    """A value that fits `shape`."""
    if isinstance(shape, Leaf):
        return draw({int: st.integers(), str: st.text(max_size=3),
                     float: st.floats(allow_nan=False), bool: st.booleans(),
                     type(None): st.none()}[shape.cls])
    if isinstance(shape, ListOf | TupleOf):
        items = [good(draw, shape.item) for _ in range(draw(st.integers(0, 3)))]
        return items if isinstance(shape, ListOf) else tuple(items)
    if isinstance(shape, DictOf):
        return {draw(st.text(max_size=2)): good(draw, shape.item)
                for _ in range(draw(st.integers(0, 3)))}
    if isinstance(shape, Opt):
        return None if draw(st.booleans()) else good(draw, shape.item)
    if isinstance(shape, Either):
        return good(draw, shape.first if draw(st.booleans()) else shape.second)
    return {k: good(draw, s) for k, s, req in shape.fields if req or draw(st.booleans())}


def bad(draw: st.DrawFn, shape: Shape) -> Any:
    return draw(junk.filter(lambda v: not conforms(shape, v)))


def draw_value(draw: st.DrawFn, shape: Shape) -> Any:
    """A mostly fitting value with a wrong part here and there. Inside a container of plain
    types (checked by sampling one item, as beartype does) all items are right or none is."""
    if draw(st.integers(0, 6)) == 0:
        return bad(draw, shape)
    if not has_td(shape):
        return good(draw, shape)
    if isinstance(shape, ListOf | TupleOf):
        items = [draw_value(draw, shape.item) for _ in range(draw(st.integers(0, 4)))]
        return items if isinstance(shape, ListOf) else tuple(items)
    if isinstance(shape, DictOf):
        return {draw(st.text(max_size=2)): draw_value(draw, shape.item)
                for _ in range(draw(st.integers(0, 3)))}
    if isinstance(shape, Opt):
        return None if draw(st.integers(0, 3)) == 0 else draw_value(draw, shape.item)
    if isinstance(shape, Either):
        return draw_value(draw, shape.first if draw(st.booleans()) else shape.second)
    assert isinstance(shape, TD)
    result = {}
    for key, field, required in shape.fields:
        if draw(st.integers(0, 9)) > (0 if required else 4):  # a required key rarely missing
            result[key] = draw_value(draw, field)
    if draw(st.integers(0, 5)) == 0:
        result["extra_key"] = draw(junk)  # extra keys are allowed, as in structural typing
    return result


@st.composite
def values(draw: st.DrawFn, shape: Shape) -> Any:
    return draw_value(draw, shape)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.data())
def test_the_checker_accepts_exactly_the_values_that_conform(data: st.DataObject) -> None:
    shape = data.draw(top_shapes, label="shape")
    value = data.draw(values(shape), label="value")
    hint = _hint(shape)
    check = make_checker(hint)
    fits = conforms(shape, value)
    assert check is not None
    assert check(value) is fits
    found = find_mismatch(hint, value, "v")
    if fits:
        assert found is None
    else:
        assert found is not None
        assert (found.path, found.missing) == first_wrong(shape, value, "v")


# --- the boundaries: node inputs and outputs, each items, subflows, flow inputs/outputs ----

class 论文包(TypedDict):
    paper: 论文


class 论文列表(TypedDict):
    papers: list[论文]


class 计数(TypedDict):
    n: int


def _counting_flow() -> Any:
    @node
    def 统计(paper: 论文) -> 计数:
        return {"n": len(paper["authors"])}

    @flow(output=计数)
    def 论文流程(paper: 论文) -> None:
        START >> 统计

    return 论文流程


def test_a_wrong_field_of_a_flow_input_is_named_by_its_path_in_both_languages() -> None:
    app = _counting_flow()
    assert app.run(paper=_paper("甲", "乙")).output == {"n": 2}
    with pytest.raises(FlowInputError) as err:
        app.run(paper=_paper("甲", "乙", 3))
    assert err.value.fields["path"] == "paper.authors[2].name"
    assert err.value.render("en") == ("flow 论文流程: input paper: field paper.authors[2].name "
                                      "should be str, got int 3")
    assert err.value.render("zh") == ("流程 论文流程 的输入 paper 的字段 paper.authors[2].name "
                                      "应为 str，实际是 int 3")


def test_a_missing_required_field_is_named_and_an_optional_one_may_be_left_out() -> None:
    app = _counting_flow()
    assert app.run(paper={"title": "T", "authors": [{"name": "甲", "email": "a@b"}],
                          "year": None}).output == {"n": 1}
    with pytest.raises(FlowInputError) as err:
        app.run(paper={"title": "T", "authors": [{"email": "a@b"}], "year": 1})
    assert err.value.render("en") == ("flow 论文流程: input paper lacks the required field "
                                      "paper.authors[0].name (str)")
    assert "缺少必需的字段 paper.authors[0].name（str）" in err.value.render("zh")
    with pytest.raises(FlowInputError) as err:
        app.run(paper={"title": "T", "authors": [{"name": "甲", "email": 7}], "year": 1})
    assert err.value.fields["path"] == "paper.authors[0].email"


def test_a_node_input_is_checked_before_the_call() -> None:
    calls: list[str] = []

    @node(check_types=False)  # a producer whose own checks are off lets a wrong value through
    def 来源(n: int) -> 论文包:
        return {"paper": _paper("甲", n)}  # type: ignore[typeddict-item]

    @node
    def 读者(paper: 论文) -> 计数:
        calls.append("读者")
        return {"n": 0}

    @flow(output=计数)
    def 阅读(n: int) -> None:
        来源 >> 读者

    with pytest.raises(NodeTypeError) as err:
        阅读.run(n=5)
    assert calls == []
    assert err.value.node == "读者" and err.value.key == "paper"
    assert err.value.render("en") == ("flow 阅读: node 读者: input paper: field "
                                      "paper.authors[1].name should be str, got int 5")
    assert err.value.render("zh") == ("流程 阅读 的节点 读者：输入 paper 的字段 "
                                      "paper.authors[1].name 应为 str，实际是 int 5")


def test_a_node_output_is_checked_after_the_call_item_by_item() -> None:
    @node(retry_count=2, retry_delay=0.0)
    def 写(n: int) -> 论文列表:
        return {"papers": [_paper("甲"), _paper("乙"), {**_paper("丙"), "year": "去年"}]}

    @flow
    def 写作(n: int) -> None:
        START >> 写

    with pytest.raises(NodeTypeError) as err:
        写作.run(n=1)
    assert err.value.fields["path"] == "papers[2].year"
    assert err.value.render("en") == ("flow 写作: node 写: output papers: field papers[2].year "
                                      "should be int | None, got str '去年'")
    assert "输出 papers 的字段 papers[2].year 应为 int | None" in err.value.render("zh")


def test_dicts_of_typeddicts_name_the_key_and_unions_the_member_the_value_is_shaped_like(
) -> None:
    check = make_checker(索引)
    assert check is not None
    ok = {"papers": {"a": _paper("甲"), "b": _paper("乙")}}
    assert check(ok)
    wrong = {"papers": {"a": _paper("甲"), "b": {**_paper("乙"), "title": None}}}
    assert not check(wrong)
    found = find_mismatch(索引, wrong, "index")
    assert found is not None
    assert (found.path, found.expected, found.actual) == ("index.papers['b'].title", "str",
                                                          "NoneType None")
    # `论文 | None` given a dict: the wrong field inside the dict is what is named.
    found = find_mismatch(论文 | None, {**_paper("甲"), "year": 1.5}, "p")
    assert found is not None and found.path == "p.year"


def test_total_false_and_required_keys() -> None:
    check = make_checker(选项)
    assert check is not None
    assert check({"tag": "x"}) and check({"tag": "x", "depth": 2})
    assert not check({"depth": 2})
    assert not check({"tag": "x", "depth": "深"})
    found = find_mismatch(选项, {"depth": 2}, "o")
    assert found is not None and found.missing and found.path == "o.tag"


def test_recursive_typeddicts_are_checked_to_any_depth() -> None:
    check = make_checker(树)
    assert check is not None
    leaf: dict[str, Any] = {"label": "叶", "children": []}
    tree = {"label": "根", "children": [leaf, {"label": "枝", "children": [leaf, {"label": 0,
                                                                                "children": []}]}]}
    assert not check(tree)
    found = find_mismatch(树, tree, "tree")
    assert found is not None and found.path == "tree.children[1].children[1].label"
    tree["children"][1]["children"][1]["label"] = "叶"
    assert check(tree)


def test_each_items_and_subflow_inputs_are_checked_field_by_field() -> None:
    @node
    def 标题(paper: 论文) -> 计数:
        return {"n": len(paper["title"])}

    @flow
    def 映射(papers: list[Any]) -> None:
        START >> each("papers", 标题, item="paper")

    with pytest.raises(NodeTypeError) as err:
        映射.run(papers=[_paper("甲"), {**_paper("乙"), "authors": [{"name": ["乙"]}]}])
    assert err.value.node == "标题"
    assert err.value.fields["path"] == "paper.authors[0].name"

    @flow(output=计数)
    def 子流程(paper: 论文) -> None:
        START >> 标题

    class 原始(TypedDict):
        paper: Any

    @node
    def 拿来(n: int) -> 原始:
        return {"paper": {**_paper("甲"), "title": n}}

    @flow(output=计数)
    def 外层(n: int) -> None:
        拿来 >> 子流程

    with pytest.raises(NodeTypeError) as err:
        外层.run(n=3)
    assert err.value.node == "子流程"
    assert err.value.fields["path"] == "paper.title"


def test_a_flow_output_is_checked_field_by_field() -> None:
    @node(check_types=False)
    def 造(n: int) -> 论文包:
        return {"paper": {**_paper("甲"), "authors": "甲"}}  # type: ignore[typeddict-item]

    @flow(output=论文包)
    def 出版(n: int) -> None:
        START >> 造

    with pytest.raises(FlowOutputError) as err:
        出版.run(n=1)
    assert err.value.render("en") == ("flow 出版: output paper: field paper.authors should be "
                                      "list[作者], got str '甲'")


def test_a_resume_value_is_checked_field_by_field() -> None:
    @node
    def 审(draft: str, ctx: Context) -> 审批:
        return ctx.interrupt({"请审阅": draft}, expect=审批)  # type: ignore[no-any-return]

    @flow(output=审批)
    def 审阅(draft: str) -> None:
        START >> 审

    app = 审阅.with_options(checkpointer=MemoryCheckpointer(), thread_id="t")
    assert app.run(draft="稿").status == "interrupted"
    with pytest.raises(ResumeValueError) as wrong:
        app.resume({"approved": True, "comment": "好", "reviewer": {"name": 1}})
    assert "field answer.reviewer.name should be str, got int 1; nothing was stored" \
        in wrong.value.render("en")
    assert "字段 answer.reviewer.name 应为 str" in wrong.value.render("zh")
    with pytest.raises(ResumeValueError) as missing:
        app.resume({"approved": True, "comment": "好"})
    assert "the required field answer.reviewer (作者) is missing" in missing.value.render("en")
    done = app.resume({"approved": True, "comment": "好", "reviewer": {"name": "乙"}})
    assert done.output["reviewer"] == {"name": "乙"}


# --- cost: long lists are checked by their newest items -----------------------------------

def test_long_lists_are_checked_by_their_last_items() -> None:
    check = make_checker(list[作者])
    assert check is not None
    good_item, bad_item = {"name": "甲"}, {"name": 1}
    assert not check([good_item] * 10 + [bad_item] + [good_item] * 10)  # short: every item
    assert check([bad_item] + [good_item] * DEEP_ITEMS)  # long: the last DEEP_ITEMS
    long = [good_item] * (3 * DEEP_ITEMS)
    long[-DEEP_ITEMS] = bad_item
    assert not check(long)
    found = find_mismatch(list[作者], long, "xs")
    assert found is not None and found.path == f"xs[{2 * DEEP_ITEMS}].name"
    index = {str(i): good_item for i in range(3 * DEEP_ITEMS)}
    assert make_checker(dict[str, 作者])(index)  # type: ignore[misc]
    index["new"] = bad_item
    found = find_mismatch(dict[str, 作者], index, "d")
    assert found is not None and found.path == "d['new'].name"


def test_plain_hints_keep_their_constant_time_check() -> None:
    check = make_checker(list[int])
    assert check is not None and check(["not checked", 1])  # one item only, as before


def test_deep_checkers_survive_pickling() -> None:
    for hint in (论文, list[论文], 树, 索引 | None):
        check = make_checker(hint)
        copy = pickle.loads(pickle.dumps(check))
        assert copy({"title": "T", "authors": [{"name": 1}], "year": 1}) is False
    assert pickle.loads(pickle.dumps(make_checker(论文)))(_paper("甲"))
