"""The benchmark harness's quick mode: every workload runs and is correct (no timing checks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("chain", "loop", "append_loop", "fanout", "async_io", "big_state", "build",
             "durable_append", "durable_tiny")
IMPLS = ("liteflow", "plain")


def test_quick_mode_runs_every_workload_correctly(tmp_path: Path) -> None:
    raw = tmp_path / "results.json"
    report = tmp_path / "report.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--impls",
            ",".join(IMPLS),
            "--json",
            str(raw),
            "--out",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=240,  # generous: the machine may be busy
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]

    payload = json.loads(raw.read_text(encoding="utf-8"))
    assert payload["failures"] == []
    seen = {(r["impl"], r["workload"]) for r in payload["results"] if r["correct"]}
    for impl in IMPLS:
        for workload in WORKLOADS:
            assert (impl, workload) in seen, f"{impl} {workload} missing or incorrect"
    assert ("liteflow", "compile") in seen  # plain Python has nothing to compile
    assert ("plain", "compile") not in seen
    assert ("plain", "durable_append_fsync") not in seen  # liteflow only, and not quick
    # Durable runs: a database was written and the thread read back from it.
    for r in payload["results"]:
        if r["workload"].startswith("durable_"):
            assert r["storage"]["db_bytes"] > 0, r
            assert r["storage"]["read_ms"] > 0, r
    assert payload["imports"]["liteflow"], "import liteflow was not measured"
    # The async_io timeline: every variant, phases that add up to the wall time.
    assert set(payload["timelines"]) == {"liteflow", "plain-uvloop", "plain-asyncio"}
    for results in payload["timelines"].values():
        phases = results[0]["phases"]
        assert all(v >= 0 for v in phases.values())
        assert abs(sum(phases.values()) - results[0]["total"]) < 1e-9
        assert phases["sleeping"] >= 0.045  # the branches' sleep (uvloop: whole ms)

    text = report.read_text(encoding="utf-8")
    for workload in (*WORKLOADS, "compile"):
        assert f"## {workload} (" in text
    assert "| liteflow (SQLite, default `fsync=False`) |" in text
    assert "| plain (one msgpack row per superstep) |" in text
    assert "| plain-uvloop |" in text
