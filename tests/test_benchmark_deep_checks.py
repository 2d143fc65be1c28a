"""The deep-checks benchmark's quick mode runs and every check in it gives the right answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_mode_measures_every_check_and_chain_correctly(tmp_path: Path) -> None:
    raw = tmp_path / "deep.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "deep_checks.py"), "--quick", "--json",
         str(raw)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    payload = json.loads(raw.read_text(encoding="utf-8"))
    checks = {row["check"]: row for row in payload["checks"]}
    assert all(row["correct"] and row["ns"] > 0 for row in checks.values())
    # A wrong field is rejected by the deep check (its row expects False and got it).
    assert "Flat, wrong field" in checks
    assert any("the last wrong" in label for label in checks)
    chains = {row["chain"] for row in payload["chains"] if row["correct"]}
    assert chains == {"dict[str, Any] (plain hint)", "Paper (deep checks)",
                      "Paper, check_types=False"}
    assert "| Paper (deep checks) |" in proc.stdout
