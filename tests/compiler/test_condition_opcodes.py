"""The condition checks read keys from bytecode. These cases fail loudly when a Python
release changes the opcodes the patterns match, instead of the checks going silent."""

from __future__ import annotations

import sys
from typing import Any

from liteflow.compiler.conditions import returned_strings, string_constants, subscripted_keys


def test_subscripted_keys_are_found_on_this_python() -> None:
    cases: list[tuple[Any, tuple[str, ...]]] = [
        (lambda out: out["score"] < 80, ("score",)),
        (lambda out, state: out["score"] < 80 and state["iteration"] < 5, ("score",)),
        (lambda out: out["分数"] > 0 and out["轮次"] < 3, ("分数", "轮次")),
        (lambda out: out.get("score", 0) > 1, ()),
    ]
    for fn, keys in cases:
        assert subscripted_keys(fn, 0) == keys, (sys.version, fn.__code__.co_code)
    assert subscripted_keys(cases[1][0], 1) == ("iteration",), sys.version


def test_returned_route_keys_are_found_on_this_python() -> None:
    def selector(out: dict[str, Any]) -> Any:
        if out["score"] > 90:
            return "done"
        if out["score"] > 50:
            return ["polish", "review"]
        return "again"

    assert set(returned_strings(selector)) == {"done", "polish", "review", "again"}, sys.version
    assert set(returned_strings(lambda out: "yes" if out["ok"] else "no")) == {"yes", "no"}


def test_string_constants_cover_nested_code() -> None:
    def selector(out: dict[str, Any]) -> str:
        return next(k for k in ("甲", "乙") if out.get(k))

    found = string_constants(selector)
    assert found is not None and {"甲", "乙"} <= found
    assert string_constants(len) is None
