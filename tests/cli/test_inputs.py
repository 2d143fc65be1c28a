"""How `--input` values are read (in process: the parsing rules in detail)."""

from __future__ import annotations

from typing import Optional

import pytest

from liteflow.cli.run import UsageError, parse_inputs


def test_values_follow_the_declared_type() -> None:
    hints = {"主题": str, "数量": int, "标签": list[str], "备注": Optional[str],  # noqa: UP045
             "比例": float | None}
    inputs = parse_inputs(["主题=123", "数量=3", '标签=["a"]', "备注=null", "比例=0.5",
                           "未声明=true", "文本=你好"], None, hints)
    assert inputs == {"主题": "123", "数量": 3, "标签": ["a"], "备注": "null", "比例": 0.5,
                      "未声明": True, "文本": "你好"}


def test_json_first_then_each_input_and_equals_signs_in_values() -> None:
    inputs = parse_inputs(["公式=a=b"], '{"公式": "x", "n": 1}', {"公式": str})
    assert inputs == {"公式": "a=b", "n": 1}


@pytest.mark.parametrize(("pairs", "raw", "message"), [
    (["没有等号"], None, "key=value"),
    (["=1"], None, "key=value"),
    ([], "{坏", "not valid JSON"),
    ([], '"字符串"', "got str"),
])
def test_bad_inputs(pairs: list[str], raw: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_inputs(pairs, raw, {})
