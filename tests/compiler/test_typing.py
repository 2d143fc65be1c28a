"""Typing for users: mypy --strict accepts typed flows and reports wrong keywords (to a
node call or to `flow.run`) on their own lines. Runs mypy on the fixture files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "typing_fixtures"
ROOT = Path(__file__).resolve().parents[2]
REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.+)$")


def run_mypy() -> dict[str, list[tuple[int, str]]]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--no-error-summary", "--hide-error-context", "--no-pretty",
         str(FIXTURES / "typed_ok.py"), str(FIXTURES / "typed_errors.py")],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300)
    errors: dict[str, list[tuple[int, str]]] = {}
    for line in done.stdout.splitlines():
        match = REPORT.match(line)
        if match:
            errors.setdefault(Path(match["file"]).name, []).append(
                (int(match["line"]), match["message"]))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return errors


def marked_lines(name: str) -> list[int]:
    text = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(text, 1) if line.rstrip().endswith("# mypy-error")]


def test_mypy_accepts_typed_code_and_flags_each_mistake_on_its_line() -> None:
    errors = run_mypy()
    assert "typed_ok.py" not in errors, errors.get("typed_ok.py")
    reported = errors["typed_errors.py"]
    assert sorted({line for line, _ in reported}) == marked_lines("typed_errors.py")
    messages = dict(reported)
    keyword = {line: msg for line, msg in reported if "Unexpected keyword argument" in msg}
    assert any('"topc"' in m and 'did you mean "topic"' in m for m in keyword.values())
    # `run` is the one run surface's, typed with the flow's own parameters.
    assert any('"topci"' in m and '"run" of "Runnable"' in m for m in keyword.values())
    assert len(messages) == len(marked_lines("typed_errors.py"))
