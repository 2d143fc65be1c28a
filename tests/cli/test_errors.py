"""User mistakes on the command line: one clear message, a non-zero exit, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import EXAMPLES, Run

BUILDER = str(EXAMPLES / "数据分析_builder.py")

FAILING = '''
from liteflow import Workflow

def 炸(inputs):
    raise ValueError("数据坏了")

工作流 = Workflow("坏流程", {"a": 1}).add_node("炸", 炸)
'''

BROKEN_WIRING = '''
from liteflow import Workflow

w = Workflow("数据分析", {"data": "x"})
w.add_node("清洗器", lambda x: {"clean": 1})
w.add_node("分析器", lambda x: {"r": 1})
w.add_edge("清洗器", "分折器")
'''


def _one_clear_line(proc: object, status: int) -> str:
    assert proc.returncode == status, (proc.stdout, proc.stderr)  # type: ignore[attr-defined]
    err: str = proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize(("args", "files", "zh", "en"), [
    (["run", "不存在.py"], {}, "错误：找不到文件 不存在.py", "error: file not found: 不存在.py"),
    (["run", "坏导入.py"], {"坏导入.py": "import 没有这个模块\n"},
     "错误：无法加载 坏导入.py：ModuleNotFoundError", "error: cannot load 坏导入.py: "
     "ModuleNotFoundError"),
    (["run", "语法.py"], {"语法.py": "def f(:\n"}, "SyntaxError", "SyntaxError"),
    (["run", "空.py"], {"空.py": "x = 1\n"}, "空.py 中没有流程或工作流",
     "空.py defines no flow or workflow"),
    (["run", "空.py:x"], {"空.py": "x = 1\n"}, "空.py 中的 x 不是流程或工作流（它是 int）",
     "x in 空.py is not a flow or workflow (it is int)"),
    (["run", f"{BUILDER}:workfow"], {}, "你是不是想用「workflow」？", "Did you mean 'workflow'?"),
    (["run", BUILDER], {}, "中有多个流程或工作流：workflow, 发布流程, graph",
     "defines several flows or workflows: workflow, 发布流程, graph"),
    (["run", f"{BUILDER}:graph", "--input", "value"], {},
     "--input 需要「键=值」的形式，收到「value」",
     "--input needs the form key=value, got 'value'"),
    (["run", f"{BUILDER}:graph", "--input-json", "{value: 1}"], {},
     "--input-json 不是合法的 JSON",
     "--input-json is not valid JSON"),
    (["run", f"{BUILDER}:graph", "--input-json", "[1]"], {},
     "必须是一个 JSON 对象 {...}，收到的是 list",
     "must be a JSON object {...}, got list"),
    (["--workflow", str(EXAMPLES / "写作循环.py"), "--input", "topik=x"], {},
     "没有输入 topik", "has no input topik (its inputs: topic). Did you mean 'topic'?"),
])
def test_usage_mistakes_exit_2(cli: Run, write: Callable[[str, str], Path], args: list[str],
                               files: dict[str, str], zh: str, en: str) -> None:
    for name, source in files.items():
        write(name, source)
    # Both languages come from one catalog; each case checks one of them to stay fast.
    lang, expected = ("zh", zh) if len(args) % 2 else ("en", en)
    assert expected in _one_clear_line(cli(*args, lang=lang), 2)


def test_the_same_mistake_in_both_languages(cli: Run) -> None:
    args = ["run", f"{BUILDER}:workfow"]
    assert _one_clear_line(cli(*args, lang="zh"), 2).endswith("你是不是想用「workflow」？")
    assert _one_clear_line(cli(*args, "--lang", "en", lang="zh"), 2).endswith(
        "Did you mean 'workflow'?")


def test_a_failing_node_exits_1_and_verbose_shows_the_traceback(
        cli: Run, write: Callable[[str, str], Path]) -> None:
    write("坏.py", FAILING)
    line = _one_clear_line(cli("run", "坏.py", lang="zh"), 1)
    assert line == "错误：流程 坏流程 的节点 炸 在第 1 超步失败，共尝试 1 次：ValueError: 数据坏了"
    verbose = cli("--verbose", "run", "坏.py")
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr and "ValueError: 数据坏了" in verbose.stderr
    assert "Traceback" in cli("run", "坏.py", "--verbose").stderr


def test_a_builder_compile_error_exits_1_with_its_diagnostic(
        cli: Run, write: Callable[[str, str], Path]) -> None:
    write("连线.py", BROKEN_WIRING)
    proc = cli("run", "连线.py", lang="zh")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "LF201" in proc.stderr and "你是不是想用「分析器」？" in proc.stderr
    assert "连线.py:7:" in proc.stderr


def test_no_arguments_prints_help(cli: Run) -> None:
    proc = cli()
    assert proc.returncode == 0
    assert "--demo" in proc.stdout and "--workflow" in proc.stdout and "run" in proc.stdout
