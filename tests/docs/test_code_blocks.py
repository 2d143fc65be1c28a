"""Every code block in the docs and README is run (or checked) as shown: see codeblocks.py."""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from codeblocks import LANGS, MODES, RUN, TYPECHECK, Block, blocks
from sitebuild import ROOT

LANGUAGES = ("zh", "en")
RUNNER = Path(__file__).with_name("run_blocks.py")
CHECK_IMPORTS = ("from typing import Annotated, Any, NotRequired, TypedDict\n"
                 "from liteflow import *  # noqa: F403\n")


def _pages(lang: str) -> list[Path]:
    return sorted((ROOT / "docs" / lang).glob("*.md"))


def _all_blocks() -> list[Block]:
    pages = [p for lang in LANGUAGES for p in _pages(lang)] + [ROOT / "README.md"]
    return [b for p in pages for b in blocks(p)]


def quick_start(lang: str) -> str:
    """The index page's first python block: the flow the other pages build on."""
    return next(b.code for b in blocks(ROOT / "docs" / lang / "index.md") if b.lang == "python")


def _env() -> dict[str, str]:
    # No real model is ever called from a docs test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_every_block_has_a_known_language_and_mode() -> None:
    for block in _all_blocks():
        assert block.lang in LANGS, f"{block.where}: fence language {block.lang!r}"
        assert block.mode in MODES, f"{block.where}: test mode {block.mode!r}"
        if block.mode != "run":
            assert block.lang == "python", block.where


def test_both_languages_show_the_same_code() -> None:
    # The pages are translations: the same python and shell blocks, in the same order.
    for zh_page in _pages("zh"):
        en_page = ROOT / "docs" / "en" / zh_page.name
        zh = [(b.lang, b.mode) for b in blocks(zh_page) if b.lang != "text"]
        en = [(b.lang, b.mode) for b in blocks(en_page) if b.lang != "text"]
        assert zh == en, zh_page.name


@pytest.mark.parametrize("lang", [*LANGUAGES, "README"])
def test_python_blocks_run(lang: str, tmp_path: Path) -> None:
    if lang == "README":
        pages = [{"page": "README.md", "prelude": "",
                  "blocks": [{"where": b.where, "code": b.code}
                             for b in blocks(ROOT / "README.md") if b.lang == "python"]}]
    else:
        pages = [
            {"page": str(p), "prelude": "" if p.name == "index.md" else quick_start(lang),
             "blocks": [{"where": b.where, "code": b.code} for b in blocks(p)
                        if b.lang == "python" and b.mode in RUN]}
            for p in _pages(lang)
        ]
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(RUNNER), str(spec)], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == sum(len(p["blocks"]) for p in pages)
    failed = [f"{r['where']}:\n{r['error']}" for r in results if r["error"]]
    assert not failed, "\n".join(failed)


def _check_pairs(lang: str) -> list[tuple[Block, Block]]:
    pairs = []
    for page in _pages(lang):
        found = blocks(page)
        for block, after in itertools.pairwise(found):
            if block.mode == "check":
                assert after.lang == "text", f"{block.where}: a `check` block needs its report"
                pairs.append((block, after))
    return pairs


CHECK_SCRIPT = """
import contextlib, io, json, sys
from liteflow.cli import main
reports = []
for path in sys.argv[2:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", path, "--lang", sys.argv[1]])
    reports.append({"path": path, "status": status, "stdout": out.getvalue()})
print(json.dumps(reports, ensure_ascii=False))
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_check_examples_report_what_the_page_shows(lang: str, tmp_path: Path) -> None:
    pairs = _check_pairs(lang)
    assert pairs, "no `check` examples found"
    files = []
    for i, (block, _) in enumerate(pairs):
        path = tmp_path / f"example_{i}.py"
        path.write_text(CHECK_IMPORTS + quick_start(lang) + "\n" + block.code, encoding="utf-8")
        files.append(str(path))
    proc = subprocess.run([sys.executable, "-c", CHECK_SCRIPT, lang, *files], cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    reports = json.loads(proc.stdout.splitlines()[-1])
    for (block, shown), report in zip(pairs, reports, strict=True):
        lines = [re.sub(r"^\S+:\d+:\d+: ", "", line) for line in report["stdout"].splitlines()]
        for expected in filter(None, (s.strip() for s in shown.code.splitlines())):
            assert expected in lines, (
                f"{shown.where}: the page shows\n  {expected}\nbut `liteflow check` says\n  "
                + "\n  ".join(lines))
        assert report["status"] == (1 if " error: " in shown.code else 0), block.where


def test_typecheck_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    # Each block on its own: a user copies one block into a file and runs mypy on it.
    targets = [b for lang in LANGUAGES for p in _pages(lang) for b in blocks(p)
               if b.mode in TYPECHECK]
    if not targets:
        return
    files = []
    for i, block in enumerate(targets):
        path = tmp_path / f"block_{i}.py"
        path.write_text(block.code, encoding="utf-8")
        files.append((path.name, block.where))
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(ROOT / ".mypy_cache"), *[f for f, _ in files]],
        cwd=tmp_path, env={**_env(), "MYPYPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300,
    )
    report = proc.stdout
    for name, where in files:
        report = report.replace(name, where)
    assert proc.returncode == 0, report


# -- shell lines ---------------------------------------------------------------------------------

def _extras() -> set[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(pyproject["project"]["optional-dependencies"])


def _shell_lines(page: Path) -> list[tuple[str, str]]:
    lines = []
    for block in blocks(page):
        if block.lang in {"bash", "sh"}:
            for n, line in enumerate(block.code.splitlines(), start=block.line + 1):
                if line.strip():
                    lines.append((f"{page}:{n}", line.strip()))
    return lines


def _expected_status(line: str) -> int:
    m = re.search(r"#\s*exit (\d+)\s*$", line)
    return int(m[1]) if m else 0


def _command(where: str, line: str) -> str | None:
    """The shell command a docs line stands for, or None when it is checked without running."""
    words = shlex.split(line, comments=True)
    if "pip" in words[:3] and "install" in words:
        # Installing is tested by tests/packaging; here the extras it names must exist.
        for word in words:
            for extra in re.findall(r"\.\[([\w,-]+)\]", word):
                assert set(extra.split(",")) <= _extras(), f"{where}: {line}"
        return None
    if words[0] in {"bash", "python", "python3"} and words[1].startswith("benchmarks/"):
        # Benchmarks take minutes; tests/test_benchmarks_smoke.py runs them small.
        assert (ROOT / words[1]).is_file(), f"{where}: {words[1]} does not exist"
        return None
    command = re.sub(r"\s+#\s.*$", "", line)
    if command.endswith("-m pytest -q"):
        # README's test entry point is what .ci/run runs; running it here would recurse.
        assert "python3 -m pytest -q" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        return _command(where, command.split("&&", 1)[0]) if "&&" in command else None
    if "&&" in command:
        # README's entry points, `install && run`: the install part is checked above.
        install, command = command.split("&&", 1)
        _command(where, install)
    return re.sub(r"(^|\s)python3? ", rf"\1{sys.executable} ", command.strip())


@pytest.mark.parametrize("lang", [*LANGUAGES, "README"])
def test_shell_lines_run(lang: str, tmp_path: Path) -> None:
    pages = [ROOT / "README.md"] if lang == "README" else _pages(lang)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    start = quick_start("zh" if lang == "README" else lang)
    for name in ("写作.py", "writing.py"):
        (work / name).write_text(start, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {**_env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    todo = [(where, line, cmd) for page in pages for where, line in _shell_lines(page)
            if (cmd := _command(where, line)) is not None]

    def run(cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", cmd], cwd=work, env=env, capture_output=True,
                              text=True, timeout=120)

    # `liteflow ui` serves until Ctrl-C: each is started, asked for its page and stopped, one
    # at a time (several use the default port).
    for where, line, cmd in [t for t in todo if _serves(t[2])]:
        _serve_and_stop(where, line, cmd, work, env)
    todo = [t for t in todo if not _serves(t[2])]
    # The other lines are independent: run a few at once.
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(run, [cmd for _, _, cmd in todo]))
    for (where, line, _), proc in zip(todo, done, strict=True):
        assert proc.returncode == _expected_status(line), (
            f"{where}: {line}\nexit {proc.returncode}\n{proc.stdout[-2000:]}\n"
            f"{proc.stderr[-2000:]}")


def _serves(cmd: str) -> bool:
    return shlex.split(cmd)[:2] == ["liteflow", "ui"]


def _serve_and_stop(where: str, line: str, cmd: str, work: Path, env: dict[str, str]) -> None:
    """Start a serving line, fetch the page it announces, then Ctrl-C it: it must exit 0."""
    proc = subprocess.Popen(["bash", "-c", f"exec {cmd}"], cwd=work, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        # The "serving http://..." line, after whatever the module printed while loading
        # ("" once the process has exited).
        announced = ""
        url = None
        while url is None:
            got = proc.stdout.readline()
            announced += got
            url = re.search(r"http://\S+/", got)
            if not got:
                break
        assert url, f"{where}: {line}\n{announced}{proc.stderr.read() if proc.stderr else ''}"
        with urllib.request.urlopen(url[0], timeout=10) as page:
            assert page.status == 200, f"{where}: {url[0]} answered {page.status}"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, f"{where}: {line}\nexit {proc.returncode}\n{out}\n{err}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
