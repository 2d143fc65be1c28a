"""`liteflow check` and `liteflow graph`, run as a user runs them: real subprocesses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>LF\d{3}) "
                  r"(?P<severity>error|warning): (?P<message>.+)$")


def liteflow(*args: str, cwd: Path = CORPUS) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITEFLOW_LANG": "en", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "liteflow", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def diagnostic_lines(stdout: str) -> list[re.Match[str]]:
    return [m for m in map(LINE.match, stdout.splitlines()) if m]


def test_text_output_is_compiler_style_and_exit_1_on_errors() -> None:
    done = liteflow("check", "bad_missing_input.py")
    assert done.returncode == 1
    lines = diagnostic_lines(done.stdout)
    assert [(m["file"], m["line"], m["col"], m["code"], m["severity"]) for m in lines] == [
        ("bad_missing_input.py", "16", "1", "LF302", "warning"),
        ("bad_missing_input.py", "21", "1", "LF101", "error"),
    ]
    assert "'text'" in lines[1]["message"] and "'摘要'" in lines[1]["message"]
    assert "Traceback" not in done.stdout + done.stderr


def test_json_output_has_exactly_the_specified_keys() -> None:
    done = liteflow("check", "bad_type_mismatch.py", "--format", "json")
    assert done.returncode == 1
    found = json.loads(done.stdout)
    assert [set(d) for d in found] == [
        {"code", "severity", "file", "line", "flow", "node", "message"}]
    assert found[0] | {"message": ""} == {
        "code": "LF102", "severity": "error", "file": "bad_type_mismatch.py", "line": 21,
        "flow": "决策流程", "node": "决策", "message": ""}
    assert "str" in found[0]["message"] and "int" in found[0]["message"]


def test_lang_after_the_subcommand_and_before_it() -> None:
    after = liteflow("check", "bad_type_mismatch.py", "--format", "json", "--lang", "zh")
    before = liteflow("--lang", "zh", "check", "bad_type_mismatch.py", "--format", "json")
    for done in (after, before):
        message = json.loads(done.stdout)[0]["message"]
        assert "类型不匹配" in message, message


def test_every_flow_of_a_module_is_reported_in_one_pass() -> None:
    done = liteflow("check", "bad_many_flows.py", "--format", "json")
    assert done.returncode == 1
    found = json.loads(done.stdout)
    errors = {(d["flow"], d["code"]) for d in found if d["severity"] == "error"}
    assert errors == {("第一", "LF101"), ("第二", "LF103"), ("第三", "LF203")}


def test_clean_module_exits_0() -> None:
    done = liteflow("check", "good_quickstart.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert diagnostic_lines(done.stdout) == []
    assert "1 flow(s) checked" in done.stdout


def test_warnings_pass_unless_strict() -> None:
    assert liteflow("check", "bad_unread_output.py").returncode == 0
    strict = liteflow("check", "bad_unread_output.py", "--strict")
    assert strict.returncode == 1
    assert [m["code"] for m in diagnostic_lines(strict.stdout)] == ["LF302"]


def test_builder_workflows_are_checked_too() -> None:
    done = liteflow("check", "bad_builder_unknown_node.py", "--format", "json")
    assert done.returncode == 1
    (found,) = json.loads(done.stdout)
    assert found["code"] == "LF201" and found["line"] == 18
    assert "分析器" in found["message"]


def test_unloadable_module_exits_2_with_the_reason_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def oops(:\n    pass\n", encoding="utf-8")
    (tmp_path / "imports.py").write_text("import no_such_module_for_liteflow\n",
                                         encoding="utf-8")
    syntax = liteflow("check", "broken.py", cwd=tmp_path)
    missing = liteflow("check", "imports.py", cwd=tmp_path)
    absent = liteflow("check", "nowhere.py", cwd=tmp_path)
    for done, reason in ((syntax, "SyntaxError"), (missing, "no_such_module_for_liteflow"),
                         (absent, "nowhere.py")):
        assert done.returncode == 2
        assert reason in done.stderr
        assert "Traceback" not in done.stderr + done.stdout


def test_graph_prints_mermaid_and_dot() -> None:
    mermaid = liteflow("graph", "good_route.py")
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout.startswith("flowchart TD\n")
    assert '-.->|"通过"| lf_end' in mermaid.stdout
    dot = liteflow("graph", "good_route.py:评审流程", "--format", "dot")
    assert dot.returncode == 0
    assert dot.stdout.startswith('digraph "评审流程" {')


def test_graph_names_the_flow_to_draw() -> None:
    several = liteflow("graph", "good_fallback.py")
    assert several.returncode == 2
    assert "评审流程" in several.stderr
    unknown = liteflow("graph", "good_fallback.py:评审留程")
    assert unknown.returncode == 2
    assert "评审流程" in unknown.stderr  # did you mean
    broken = liteflow("graph", "bad_missing_input.py")
    assert broken.returncode == 1
    assert "LF101" in broken.stderr
