"""The message catalog: complete in both languages; the language is chosen as SPEC §6 says."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest

from liteflow.core.messages import CATALOG, current_language, text, use_language


def _fields(template: str) -> set[str]:
    return {name.split("!")[0].split(":")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("msg_id", sorted(CATALOG))
def test_every_message_exists_in_both_languages_with_the_same_fields(msg_id: str) -> None:
    entry = CATALOG[msg_id]
    assert entry.zh.strip() and entry.en.strip()
    assert _fields(entry.zh) == _fields(entry.en), msg_id
    assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.zh), f"{msg_id}: zh has no Chinese"


def test_language_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITEFLOW_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert current_language() == "zh"
    monkeypatch.setenv("LITEFLOW_LANG", "en")
    assert current_language() == "en"
    with use_language("zh"):
        assert current_language() == "zh"
        assert text("error.flow_input_missing", flow="流", key="k") == "流程 流 缺少必需的输入 k"
    assert text("error.flow_input_missing", "en", flow="f", key="k") == \
        "flow f is missing the required input k"


def test_locale_decides_in_a_fresh_process() -> None:
    code = ("from liteflow import FlowInputError\n"
            "print(FlowInputError('error.flow_input_missing', flow='f', key='k'))")
    env = {"LANG": "zh_CN.UTF-8", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "流程 f 缺少必需的输入 k"
    env = {"LANG": "zh_CN.UTF-8", "LITEFLOW_LANG": "en", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "flow f is missing the required input k"
