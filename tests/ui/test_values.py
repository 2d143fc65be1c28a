"""Values shown on the page: any stored value becomes JSON, bounded in size; diffs show
what a step wrote; the server refuses unusable stores and ports clearly."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import socket
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liteflow.checkpoint import Unrestorable
from liteflow.core.errors import LiteflowError, UIError
from liteflow.ui import UIServer
from liteflow.ui._values import bounded, diff_values, to_json

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
    | st.datetimes() | st.dates(),
    lambda inner: st.lists(inner) | st.tuples(inner, inner) | st.frozensets(st.integers())
    | st.dictionaries(st.text() | st.integers(), inner),
    max_leaves=20)


@given(values)
def test_any_value_becomes_json(value: Any) -> None:
    json.dumps(to_json(value), allow_nan=False)


@given(values, st.integers(min_value=1, max_value=200))
def test_a_bounded_value_never_exceeds_its_limit(value: Any, limit: int) -> None:
    shown = bounded(value, limit)
    if shown.get("truncated"):
        assert len(shown["preview"]) == limit + 1 and shown["size"] > limit
    else:
        assert len(json.dumps(shown["value"], ensure_ascii=False)) <= limit


@given(st.lists(st.integers()), st.lists(st.integers()))
def test_a_list_that_grew_at_its_end_shows_only_the_new_items(old: list[int],
                                                              new: list[int]) -> None:
    [row] = diff_values({"k": old}, {"k": old + new}, ["k"])
    assert row == {"key": "k", "existed": True, "op": "append", "added": {"value": new}}


class 颜色(enum.Enum):
    红 = "red"


@dataclasses.dataclass
class 订单:
    编号: int
    颜色: 颜色
    时间: dt.datetime


def test_classes_show_their_fields() -> None:
    when = dt.datetime(2026, 12, 1, 8, 0)
    assert to_json(订单(7, 颜色.红, when)) == {"__class__": "订单", "编号": 7, "颜色": "red",
                                             "时间": "2026-12-01T08:00:00"}
    assert to_json(Unrestorable("app:订单", {"编号": 7})) == {"__class__": "app:订单",
                                                             "fields": {"编号": 7}}


def test_a_key_set_over_another_value_shows_before_and_after() -> None:
    [row] = diff_values({"k": "旧"}, {"k": "新"}, ["k"])
    assert row["op"] == "set" and row["before"] == {"value": "旧"} and row["after"] == {
        "value": "新"}
    [row] = diff_values({}, {"k": ["a"]}, ["k"], frozenset({"k"}))
    assert row == {"key": "k", "existed": False, "op": "append", "added": {"value": ["a"]}}


def test_an_unknown_checkpointer_url_is_a_clear_error() -> None:
    with pytest.raises(LiteflowError, match="mongodb://x"):
        UIServer(None, checkpointer="mongodb://x")


def test_a_port_in_use_is_a_clear_error(tmp_path: Any) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        server = UIServer(None, checkpointer=f"sqlite:///{tmp_path / 'x.db'}", port=port)
        with pytest.raises(UIError, match=f"127.0.0.1:{port}"):
            server.start()
        server.stop()
    finally:
        taken.close()
