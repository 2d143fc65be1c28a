"""The corpus: deliberately broken flows, each marked with the codes it must produce on the
line it must produce them (`# expect: LF101`), and correct flows that produce nothing."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from liteflow.cli._loader import load_module, module_flows
from liteflow.cli.check import collect_diagnostics
from liteflow.compiler.diagnostics import collect_mode

CORPUS = Path(__file__).parent / "corpus"
BAD = sorted(CORPUS.glob("bad_*.py"))
GOOD = sorted(CORPUS.glob("good_*.py"))
MARK = re.compile(r"# expect: ((?:LF\d{3}\s*)+)$")


def expected(path: Path) -> Counter[tuple[str, int]]:
    found: Counter[tuple[str, int]] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = MARK.search(line)
        if match:
            for code in match.group(1).split():
                found[(code, number)] += 1
    return found


def test_the_corpus_is_big_enough() -> None:
    assert len(BAD) >= 30
    assert len(GOOD) >= 15


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_broken_flow_reports_exact_codes_and_lines(path: Path) -> None:
    want = expected(path)
    assert want, f"{path.name} marks no expected diagnostic"
    _flows, diagnostics = collect_diagnostics(str(path))
    got = Counter((d.code, d.line) for d in diagnostics)
    assert got == want, "\n".join(d.format("en") for d in diagnostics)
    for d in diagnostics:
        assert Path(d.file).resolve() == path.resolve()
        assert d.col >= 1
        assert d.message("zh") and d.message("en")
        assert d.message("zh") != d.message("en")


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_correct_flow_has_no_diagnostic(path: Path) -> None:
    flows, diagnostics = collect_diagnostics(str(path))
    assert flows >= 1
    assert diagnostics == [], "\n".join(d.format("en") for d in diagnostics)


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_correct_flow_runs_as_declared(path: Path) -> None:
    with collect_mode():
        module = load_module(str(path))
    runs: dict[str, tuple[dict[str, Any], dict[str, Any]]] = getattr(module, "RUNS", {})
    by_name = {getattr(f, "name", k): f for k, f in module_flows(module).items()}
    for name, (inputs, output) in runs.items():
        assert by_name[name].run(**inputs).output == output
