"""`liteflow check` as a tool in editors, pre-commit and CI (SPEC §5.7), and the command
line's own manners: options anywhere, help and errors in the chosen language."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sarif_pydantic import Sarif

from .conftest import EXAMPLES, ROOT, Run, _env

Write = Callable[[str, str], Path]
CORPUS = ROOT / "tests" / "compiler" / "corpus"

NOISY = '''
import os
import sys
from typing import TypedDict

from liteflow import flow, node

print("hello from the module")
os.write(1, b"raw bytes on fd 1\\n")


class 出(TypedDict):
    y: int


@node
def 加一(x: int) -> 出:
    return {"y": x + 1}


@node
def 读z(z: int) -> 出:
    return {"y": z}


@flow(output=出)
def 流程(x: int) -> None:
    加一 >> 读z
'''


def test_import_output_goes_to_stderr_and_json_stays_valid(cli: Run, write: Write) -> None:
    write("noisy.py", NOISY)
    done = cli("check", "noisy.py", "--format", "json")
    assert done.returncode == 1
    (found,) = json.loads(done.stdout)
    assert found["code"] == "LF101" and found["node"] == "读z"
    assert "hello from the module" in done.stderr and "raw bytes on fd 1" in done.stderr
    drawn = cli("graph", "noisy.py")
    assert "hello" not in drawn.stdout and "hello from the module" in drawn.stderr


def test_sarif_is_valid_sarif_2_1_0_with_rules_in_the_chosen_language(cli: Run) -> None:
    done = cli("check", str(CORPUS / "bad_missing_input.py"), "--format", "sarif",
               "--lang", "zh")
    assert done.returncode == 1
    log = json.loads(done.stdout)
    Sarif.model_validate(log)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    lf101 = next(r for r in rules if r["id"] == "LF101")
    assert "默认值" in lf101["help"]["text"] and lf101["defaultConfiguration"]["level"] == "error"
    codes = {r["ruleId"] for r in run["results"]}
    assert "LF101" in codes
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
            "bad_missing_input.py")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result["message"]["text"])


def test_github_format_prints_workflow_annotations(cli: Run) -> None:
    done = cli("check", str(CORPUS / "bad_join_different_guards.py"), "--format", "github")
    assert done.returncode == 0  # warnings only
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("::warning file=")
        assert ",line=47,col=5,title=LF204::" in line
        assert "综合" in line


def test_a_module_that_never_finishes_importing_times_out(cli: Run, write: Write) -> None:
    write("slow.py", "import time\ntime.sleep(60)\n")
    start = time.monotonic()
    done = cli("check", "slow.py", "--timeout", "1")
    assert time.monotonic() - start < 20
    assert done.returncode == 2
    assert "did not finish within 1 s" in done.stderr and "Traceback" not in done.stderr
    as_json = cli("check", "slow.py", "--timeout", "0.5", "--format", "json", lang="zh")
    assert as_json.returncode == 2
    assert "0.5 秒" in json.loads(as_json.stdout)["error"]


def test_a_module_that_leaves_a_thread_running_still_ends(cli: Run, write: Write) -> None:
    write("threads.py", NOISY + "\nimport threading\nimport time\n"
          "threading.Thread(target=time.sleep, args=(60,)).start()\n")
    start = time.monotonic()
    done = cli("check", "threads.py", "--format", "json")
    assert time.monotonic() - start < 20
    assert done.returncode == 1 and json.loads(done.stdout)[0]["code"] == "LF101"


def test_a_load_error_in_json_mode_is_an_error_object(cli: Run, write: Write) -> None:
    write("broken.py", "def oops(:\n")
    done = cli("check", "broken.py", "--format", "json")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert list(report) == ["error"] and "SyntaxError" in report["error"]
    assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # The reader is gone before the report is written, as with `liteflow check … | head`.
    process = subprocess.Popen(
        [sys.executable, "-m", "liteflow", "check", str(CORPUS / "bad_many_flows.py")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=_env("en", None))
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_options_before_or_after_the_subcommand(cli: Run, write: Write) -> None:
    write("broken.py", "raise RuntimeError('boom')\n")
    before = cli("--verbose", "--lang", "zh", "check", "broken.py")
    after = cli("check", "broken.py", "--verbose", "--lang", "zh")
    for done in (before, after):
        assert done.returncode == 2
        assert "Traceback" in done.stderr  # --verbose
        assert "liteflow check 出错" in done.stderr  # --lang zh
    mixed = cli("--lang", "zh", "check", "broken.py", "--verbose")
    assert "出错" in mixed.stderr and "Traceback" in mixed.stderr


@pytest.mark.parametrize("args", [["--lang", "zh", "--help"], ["check", "--help", "--lang=zh"]])
def test_help_follows_lang(cli: Run, args: list[str]) -> None:
    done = cli(*args)
    assert done.returncode == 0
    assert done.stdout.startswith("用法：") and "显示帮助并退出" in done.stdout
    assert "options" not in done.stdout and "usage" not in done.stdout


def test_argparse_errors_in_the_chosen_language(cli: Run) -> None:
    missing = cli("check", lang="zh")
    assert missing.returncode == 2
    assert "liteflow check：错误：缺少必需的参数：path" in missing.stderr
    bad = cli("check", "x.py", "--format", "xml", "--lang", "zh")
    assert bad.returncode == 2 and "无效的取值" in bad.stderr
    unknown = cli("check", "x.py", "--bogus")
    assert unknown.returncode == 2 and "unrecognized arguments: --bogus" in unknown.stderr


def test_directories_and_other_files_are_named_as_such(cli: Run, write: Write,
                                                       tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    write("notes.txt", "not python\n")
    folder = cli("check", "folder")
    assert folder.returncode == 2 and "folder is a directory" in folder.stderr
    assert "liteflow check:" in folder.stderr
    notes = cli("graph", "notes.txt")
    assert notes.returncode == 2
    assert "liteflow graph: notes.txt is not a Python file" in notes.stderr
    assert "liteflow check" not in notes.stderr
    ran = cli("run", "folder")
    assert ran.returncode == 2 and "is a directory" in ran.stderr


def test_deeply_nested_input_json_is_a_usage_error(cli: Run, write: Write) -> None:
    write("flow.py", NOISY.replace("加一 >> 读z", "START >> 加一").replace(
        "import flow, node", "import START, flow, node"))
    done = cli("run", "flow.py", "--input-json", "[" * 20_000 + "]" * 20_000)
    assert done.returncode == 2
    assert "nested too deeply" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.stem)
def test_every_example_checks_clean(cli: Run, path: Path) -> None:
    done = cli("check", str(path), "--strict", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def test_the_pre_commit_hook_checks_the_files_it_is_given(cli: Run) -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "liteflow-check" and hook["types"] == ["python"]
    program, *options = hook["entry"].split()
    assert program == "liteflow"
    # pre-commit appends the staged files to the entry.
    files = [str(CORPUS / "bad_missing_input.py"), str(CORPUS / "good_join.py"),
             str(CORPUS / "bad_join_different_guards.py")]
    done = cli(*options, *files, "--format", "json")
    assert done.returncode == 1
    found = {(Path(d["file"]).name, d["code"]) for d in json.loads(done.stdout)}
    assert ("bad_missing_input.py", "LF101") in found
    assert ("bad_join_different_guards.py", "LF204") in found
    assert not any(name == "good_join.py" for name, _ in found)
    clean = cli(*options, str(CORPUS / "good_join.py"), str(CORPUS / "good_route.py"))
    assert clean.returncode == 0 and "2 flow(s) checked: no problems found" in clean.stdout
