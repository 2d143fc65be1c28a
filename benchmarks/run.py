"""Benchmark liteflow against LangGraph and a plain-Python lower bound.

Every measurement runs in a fresh subprocess (``child.py``): liteflow and plain with this
interpreter, LangGraph with ``benchmarks/.venv-langgraph`` (made by ``setup_langgraph.sh``;
skipped with a note if absent). Each (implementation, workload) is run several times; the
report gives medians and min–max, the LangGraph/liteflow ratio from the same session, peak
memory, and whether liteflow meets its targets.

    python benchmarks/run.py                       # full run, writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick               # smoke test: tiny sizes, correctness only
    python benchmarks/run.py --only chain,loop --runs 3 --out /tmp/r.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from workloads.common import (  # noqa: E402
    ASYNC_SLEEP_S,
    PG_DSN_ENV,
    SWEEP_SIZES,
    SWEEP_SIZES_QUICK,
    WORKLOADS,
    bench_pg_dsn,
)

IMPLS = ("liteflow", "langgraph", "plain")
LANGGRAPH_PYTHON = os.path.join(HERE, ".venv-langgraph", "bin", "python")
#: What ``import`` time is measured for, per implementation.
IMPORT_MODULES = {"liteflow": "liteflow", "langgraph": "langgraph.graph", "plain": "asyncio"}
IMPORT_SNIPPET = (
    "import sys, time\n"
    "t = time.perf_counter()\n"
    "__import__(sys.argv[1])\n"
    "print(time.perf_counter() - t)\n"
)
CHILD_TIMEOUT_S = 600
SECTIONS = (*WORKLOADS, "timeline", "sweep", "import")
#: `timeline.py` variants: liteflow and the hand-written lower bound on either loop.
TIMELINE_VARIANTS = ("liteflow", "plain-uvloop", "plain-asyncio")


@dataclass(frozen=True, slots=True)
class Target:
    """One target of liteflow's: an absolute bound (`limit`) or a speed-up over a reference
    measured in the same run (`speedup`: the reference's figure / liteflow's)."""

    workload: str
    metric: str
    unit: str
    limit: float | None = None
    speedup: float | None = None
    #: The result field compared (see `metric_value`).
    key: str = "per_unit_us"
    #: The reference (implementation, workload); by default LangGraph on the same workload.
    against: tuple[str, str] | None = None
    against_label: str = "LangGraph"

    def reference(self) -> tuple[str, str]:
        return self.against or ("langgraph", self.workload)


TARGETS = (
    Target("chain", "µs per superstep", "µs", limit=6.0),
    Target("chain", "µs per superstep", "µs", speedup=100.0),
    Target("loop", "µs per superstep", "µs", limit=6.0),
    Target("loop", "µs per superstep", "µs", speedup=100.0),
    Target("append_loop", "µs per superstep", "µs", speedup=30.0),
    Target("fanout", "µs per branch", "µs", limit=8.0),
    Target("fanout", "µs per branch", "µs", speedup=50.0),
    Target("small_chain", "µs per run", "µs", limit=30.0),
    Target("small_join", "µs per run", "µs", limit=80.0),
    Target("small_fanout", "µs per run", "µs", speedup=20.0),
    Target("async_io", f"wall time / {ASYNC_SLEEP_S} s ideal", "×", limit=1.3, key="x_ideal"),
    # 1.3× the ideal where LangGraph takes 7.8×: 6× faster than LangGraph.
    Target("async_io", f"wall time / {ASYNC_SLEEP_S} s ideal", "×", speedup=7.8 / 1.3,
           key="x_ideal"),
    Target("big_state", "peak allocated / data size", "×", limit=1.2,
           key="memory.peak_growth_ratio"),
    Target("build", "µs per node", "µs", limit=30.0),
    Target("build", "µs per node (distinct functions)", "µs", speedup=5.0),
    Target("compile", "µs per node", "µs", limit=30.0),
    Target("durable_append", "database after checkpoint", "MiB", limit=6.0,
           key="storage.db_mib", against_label="LangGraph SqliteSaver"),
    Target("durable_append", "µs per superstep", "µs", speedup=50.0,
           against_label="LangGraph SqliteSaver"),
    Target("durable_append", "µs per superstep", "µs", speedup=5.0,
           against=("langgraph", "durable_append_delta"),
           against_label="LangGraph DeltaChannel"),
    Target("durable_append", "read the thread back", "ms", limit=50.0, key="storage.read_ms",
           against_label="LangGraph SqliteSaver"),
    Target("durable_tiny", "µs per superstep", "µs", limit=150.0,
           against_label="LangGraph SqliteSaver"),
    Target("durable_append_pg", "table data after the run", "MiB", limit=8.0,
           key="storage.db_mib"),
    Target("durable_append_pg", "µs per superstep", "µs", limit=2000.0),
    Target("import", "import liteflow", "s", limit=0.3, key="import"),
)


@dataclass
class Session:
    """Everything measured in one invocation of this script."""

    quick: bool
    runs: int
    impls: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    #: (impl, workload, size) -> one JSON result per child process
    results: dict[tuple[str, str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    imports: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: variant -> one `timeline.py` result per process
    timelines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    import_breakdown: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    #: The 1-minute load average after each measurement.
    loads: list[float] = field(default_factory=list)
    seconds: float = 0.0
    date: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    argv: list[str] = field(default_factory=list)
    #: The environment, recorded when measuring so a re-rendered report stays true.
    machine: dict[str, str] = field(default_factory=dict)
    commit: str | None = None
    versions: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        payload = {f: getattr(self, f) for f in self.__dataclass_fields__ if f != "results"}
        payload["results"] = [r for rs in self.results.values() for r in rs]
        return payload

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Session:
        fields = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        fields["impls"] = tuple(fields["impls"])
        fields["imports"] = defaultdict(list, fields.get("imports", {}))
        fields["import_breakdown"] = {
            k: [tuple(kv) for kv in v] for k, v in fields.get("import_breakdown", {}).items()
        }
        session = cls(**{k: v for k, v in fields.items() if k != "results"})
        for res in payload["results"]:
            session.results[(res["impl"], res["workload"], res["size"])].append(res)
        return session


# ---- running children ----------------------------------------------------------------------


def interpreter(impl: str) -> str:
    return LANGGRAPH_PYTHON if impl == "langgraph" else sys.executable


def child_env(impl: str) -> dict[str, str]:
    env = dict(os.environ)
    if impl != "langgraph":  # liteflow is imported from the work tree
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    return env


def run_child(impl: str, workload: str, size: int, repeat: int, budget: float) -> dict[str, Any]:
    cmd = [
        interpreter(impl),
        os.path.join(HERE, "child.py"),
        f"--impl={impl}",
        f"--workload={workload}",
        f"--size={size}",
        f"--repeat={repeat}",
        f"--budget={budget}",
    ]
    base: dict[str, Any] = {"impl": impl, "workload": workload, "size": size, "correct": False}
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, env=child_env(impl)
        )
    except subprocess.TimeoutExpired:
        return {**base, "error": f"timed out after {CHILD_TIMEOUT_S} s"}
    lines = proc.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {**base, "error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return result


def run_timeline(variant: str, size: int, runs: int) -> dict[str, Any]:
    """One `timeline.py` process: the phases of `async_io`'s wall time for `variant`."""
    cmd = [sys.executable, os.path.join(HERE, "timeline.py"), f"--variant={variant}",
           f"--size={size}", f"--runs={runs}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
                              env=child_env("liteflow"))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    try:
        result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return result


def time_import(impl: str) -> float | None:
    cmd = [interpreter(impl), "-c", IMPORT_SNIPPET, IMPORT_MODULES[impl]]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(impl), check=False)
    if proc.returncode != 0:
        return None
    return float(proc.stdout.strip().splitlines()[-1])


def import_breakdown(impl: str, top: int = 8) -> dict[str, list[tuple[str, float]]]:
    """Where `import liteflow` spends its time, from one ``python -X importtime`` run.

    Returns the packages it pulls in (cumulative seconds, by top-level name) and its own
    modules (self seconds), each the ``top`` largest.
    """
    module = IMPORT_MODULES[impl]
    cmd = [interpreter(impl), "-X", "importtime", "-c", f"import {module}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(impl), check=False)
    rows: list[tuple[int, str, float, float]] = []  # depth, name, self s, cumulative s
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3:
            continue
        try:
            own, cumulative = float(parts[0]) / 1e6, float(parts[1]) / 1e6
        except ValueError:
            continue  # the header line
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((depth, name.strip(), own, cumulative))
    # The block of `import liteflow` ends at its depth-0 row; startup imports precede it.
    end = next((i for i, r in enumerate(rows) if r[0] == 0 and r[1] == module), None)
    if end is None:
        return {}
    begin = max((i for i in range(end) if rows[i][0] == 0), default=-1) + 1
    root = module.split(".")[0]
    deps: dict[str, float] = {}
    own: dict[str, float] = {}
    block = rows[begin : end + 1]
    for i, (depth, name, self_s, cumulative) in enumerate(block):
        top_level = name.split(".")[0]
        if top_level == root:
            own[name] = self_s
            continue
        # A package counts where a liteflow module imports it directly (its parent row,
        # the next one a level up, is liteflow's).
        parent = next((r[1] for r in block[i + 1 :] if r[0] == depth - 1), "")
        if parent.split(".")[0] == root:
            deps[top_level] = deps.get(top_level, 0.0) + cumulative

    def largest(d: dict[str, float]) -> list[tuple[str, float]]:
        return sorted(d.items(), key=lambda kv: -kv[1])[:top]

    return {"deps": largest(deps), "own": largest(own)}


# ---- the plan of a session -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    impl: str
    workload: str
    size: int
    run: int
    runs: int


def plan_jobs(
    sections: Sequence[str], impls: Sequence[str], quick: bool, runs: int, sweep_runs: int
) -> list[Job]:
    """Interleave implementations and runs, so slow drifts of the machine hit all alike."""
    jobs: list[Job] = []
    for r in range(runs):
        for name in sections:
            if name not in WORKLOADS:
                continue
            w = WORKLOADS[name]
            cell_runs = min(runs, w.max_runs or runs)
            if r >= cell_runs or (quick and not w.in_quick):
                continue
            size = w.quick_size if quick else w.full_size
            sizes = (size,) if quick else (size, *w.more_sizes)
            jobs += [Job(impl, name, n, r, cell_runs) for n in sizes for impl in impls
                     if impl in w.impls
                     and not (name == "compile" and impl == "plain")]  # nothing to compile
    if "sweep" in sections:
        chain_size = WORKLOADS["chain"].quick_size if quick else WORKLOADS["chain"].full_size
        sizes = SWEEP_SIZES_QUICK if quick else SWEEP_SIZES
        have_chain = "chain" in sections
        for r in range(sweep_runs):
            for size in sizes:
                if have_chain and size == chain_size:
                    continue  # measured by the chain workload already
                jobs += [Job(impl, "chain", size, r, sweep_runs) for impl in impls]
    return jobs


def run_session(args: argparse.Namespace) -> Session:
    impls = tuple(i for i in IMPLS if i in args.impls)
    session = Session(quick=args.quick, runs=args.runs, impls=impls)
    if "langgraph" in impls and not os.path.exists(LANGGRAPH_PYTHON):
        session.impls = tuple(i for i in impls if i != "langgraph")
        session.notes.append(
            "LangGraph was skipped: `benchmarks/.venv-langgraph` does not exist "
            "(run `bash benchmarks/setup_langgraph.sh`)."
        )
    impls = session.impls
    sections = [s for s in SECTIONS if s in args.only]
    skipped_pg = [s for s in sections if s in WORKLOADS and WORKLOADS[s].postgres]
    if skipped_pg and bench_pg_dsn() is None:
        sections = [s for s in sections if s not in skipped_pg]
        session.notes.append(
            f"PostgreSQL rows ({', '.join(skipped_pg)}) were skipped: set"
            f" {PG_DSN_ENV[0]}=postgresql://… (a throwaway server; each run creates and drops"
            " its own database)."
        )
    sweep_runs = min(args.runs, args.sweep_runs)
    repeat, budget = (1, 0.0) if args.quick else (args.repeat, args.budget)

    jobs = plan_jobs(sections, impls, args.quick, args.runs, sweep_runs)
    session.load_before = load_average()
    started = time.perf_counter()
    for k, job in enumerate(jobs, 1):
        res = run_child(job.impl, job.workload, job.size, repeat, budget)
        session.results[(job.impl, job.workload, job.size)].append(res)
        if res.get("correct"):
            status = f"{res['per_unit_us']:.2f} µs/{res['unit']}"
        else:
            status = f"FAILED: {res.get('error')}"
            session.failures.append(f"{job.impl} {job.workload} n={job.size}: {res.get('error')}")
        elapsed = time.perf_counter() - started
        session.loads.append(os.getloadavg()[0])
        log(
            f"[{k}/{len(jobs)} {elapsed:5.0f}s] {job.impl:9} {job.workload:20} n={job.size:<5} "
            f"run {job.run + 1}/{job.runs}: {status}"
        )

    if "timeline" in sections and "liteflow" in impls:
        size = WORKLOADS["async_io"].quick_size if args.quick else WORKLOADS["async_io"].full_size
        for r in range(args.runs):
            for variant in TIMELINE_VARIANTS:
                res = run_timeline(variant, size, 1 if args.quick else args.repeat)
                if "error" in res:
                    session.failures.append(f"timeline {variant}: {res['error']}")
                    continue
                session.timelines.setdefault(variant, []).append(res)
                log(f"timeline {variant:13} run {r + 1}/{args.runs}: {res['total'] * 1e3:.1f} ms")

    if "import" in sections:
        for impl in impls:
            time_import(impl)  # prime the bytecode caches
            for _ in range(args.runs):
                t = time_import(impl)
                if t is None:
                    session.failures.append(f"{impl}: `import {IMPORT_MODULES[impl]}` failed")
                    break
                session.imports[impl].append(t)
            log(f"import {IMPORT_MODULES[impl]:16} {fmt_stats(session.imports[impl], 3)} s")
        if "liteflow" in impls:
            session.import_breakdown = import_breakdown("liteflow")
    session.load_after = load_average()
    session.seconds = time.perf_counter() - started
    session.machine = machine_info()
    session.commit = git_commit()
    session.versions["liteflow"] = package_versions(
        "liteflow", ["networkx", "beartype", "typing-extensions", "msgpack"]
    )
    if "langgraph" in impls:
        session.versions["langgraph"] = package_versions(
            "langgraph",
            ["langgraph", "langchain-core", "langgraph-checkpoint", "langgraph-checkpoint-sqlite"],
        )
    return session


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---- statistics ----------------------------------------------------------------------------


def fmt_stats(values: Sequence[float], digits: int = 2) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def values(session: Session, impl: str, workload: str, size: int, key: str) -> list[float]:
    out = []
    for res in session.results.get((impl, workload, size), []):
        if not res.get("correct"):
            continue
        value: Any = res
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int | float):
            out.append(float(value))
    return out


def median_or_none(xs: Sequence[float]) -> float | None:
    return statistics.median(xs) if xs else None


def best_or_none(xs: Sequence[float]) -> float | None:
    return min(xs) if xs else None


def metric_value(session: Session, impl: str, workload: str, key: str) -> float | None:
    """One figure of (impl, workload) at the session's size, from its fastest process (the
    least slowed down by other load on the machine; see `render_machine_speed`)."""
    if key == "import":
        return best_or_none(session.imports.get(impl, []))
    size = workload_size(session, workload)
    if key == "x_ideal":
        return best_or_none(
            [v / ASYNC_SLEEP_S for v in values(session, impl, workload, size, "run_s")]
        )
    return best_or_none(values(session, impl, workload, size, key))


def render_machine_speed(session: Session) -> list[str]:
    """How fast the machine ran each process: a fixed pure-Python loop timed in it."""
    probes = [res["probe_us"] for results in session.results.values() for res in results
              if isinstance(res.get("probe_us"), int | float)]
    if not probes:
        return []
    fastest = min(probes)
    slow = sum(1 for p in probes if p >= 1.4 * fastest)
    return [
        f"Machine speed: every process first timed a fixed pure-Python loop: {fastest:.0f} µs"
        f" at best, median {statistics.median(probes):.0f} µs, worst {max(probes):.0f} µs;"
        f" {slow} of {len(probes)} processes ran at least 1.4× slower than the fastest (on a"
        " shared host, while neighbours are busy). This is why the targets below are checked"
        " on each implementation's fastest process, the reference's too.",
        "",
    ]


def workload_size(session: Session, workload: str) -> int:
    w = WORKLOADS[workload]
    return w.quick_size if session.quick else w.full_size


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "–"
    r = numerator / denominator
    return f"{r:.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 1 else f"{r:.2f}×"


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


# ---- the report ----------------------------------------------------------------------------


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine_info() -> dict[str, str]:
    info = {
        "os": platform.platform(),
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
    }
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    info["memory"] = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                    break
    except OSError:
        pass
    return info


def package_versions(impl: str, names: Iterable[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run(
        [interpreter(impl), "-c", code, *names], capture_output=True, text=True, check=False
    )
    try:
        found: dict[str, str] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {}
    return found


def git_commit() -> str | None:
    """HEAD's short hash, noting uncommitted changes under liteflow/ (read-only git calls)."""

    def git(*args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", ROOT, *args], capture_output=True, text=True, check=False
        )
        return proc.stdout.strip() if proc.returncode == 0 else ""

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "liteflow")
    except OSError:
        return None
    if not head:
        return None
    return head + (" plus uncommitted changes in liteflow/" if dirty else "")


def impl_version(session: Session, impl: str) -> str:
    for (i, _, _), results in session.results.items():
        for res in results:
            if i == impl and res.get("version"):
                return str(res["version"])
    return impl


def render(session: Session) -> str:
    m = session.machine or machine_info()
    impls = session.impls
    lines: list[str] = ["# liteflow benchmarks", ""]
    if session.quick:
        lines += ["> Quick (smoke) mode: tiny sizes, one run. Timings are not meaningful.", ""]
    commit = session.commit
    lf_deps = session.versions.get("liteflow", {})
    lines += [
        f"- Date: {session.date}",
        f"- Machine: {m.get('cpu', '?')}, {m['cores']} cores, {m.get('memory', '?')} RAM; "
        f"{m['os']}; load average (1, 5, 15 min) {session.load_before} at the start,"
        f" {session.load_after} at the end"
        + (
            "; 1-minute load after each measurement: median"
            f" {statistics.median(session.loads):.1f},"
            f" {min(session.loads):.1f}–{max(session.loads):.1f}"
            if session.loads
            else ""
        ),
        f"- Python {m['python']}",
        f"- {impl_version(session, 'liteflow')}"
        + (f" (commit {commit})" if commit else " (work tree)")
        + ", with "
        + ", ".join(f"{k} {v}" for k, v in lf_deps.items()),
    ]
    if "langgraph" in impls:
        lg = session.versions.get("langgraph", {})
        lines.append("- " + ", ".join(f"{k} {v}" for k, v in lg.items()) + " (own virtualenv)")
    lines += [
        f"- Command: `python benchmarks/run.py {' '.join(session.argv)}`".rstrip()
        + f" ({session.seconds / 60:.1f} min)",
        "",
    ]
    lines += [f"> {note}" for note in session.notes]
    lines += [
        "Each cell is the median over fresh processes, with min–max in brackets"
        f" ({session.runs} process{'es' if session.runs != 1 else ''} per cell; the chain-size"
        " sweep uses at most 3). In each process the graph is built once and run once (the"
        " *first run*), then run again up to 5 times (at most ~1 s in total); the process"
        " reports the best of those warm runs (for *build* and *compile*, the build itself is"
        " timed first and then repeated likewise). Per-unit times are the wall time of one run"
        " divided by the number of supersteps, branches or nodes; *CPU* is the process CPU"
        " time of that run, all threads, divided likewise (less sensitive to other load on the"
        " machine). liteflow runs with default options (runtime type checks on); *vs liteflow*"
        " is each implementation's median divided by liteflow's.",
        "",
        *render_machine_speed(session),
        *render_targets(session),
    ]
    for name in WORKLOADS:
        if name in DURABLE_VARIANT_OF:
            continue  # rows of the workload they vary
        if name in DURABLE_ROWS:
            lines += render_durable(session, name)
        elif any(key[1] == name for key in session.results):
            lines += render_workload(session, name)
    if session.timelines and not any(key[1] == "async_io" for key in session.results):
        lines += ["## async_io: where the time goes", "", *render_timeline(session)]
    lines += render_sweep(session)
    lines += render_imports(session)
    if session.failures:
        lines += ["## Failures", ""] + [f"- {f}" for f in session.failures] + [""]
    lines += [
        "## Reproduce",
        "",
        "```sh",
        "bash benchmarks/setup_langgraph.sh   # once: LangGraph in benchmarks/.venv-langgraph",
        "python benchmarks/run.py             # 30 minutes on 2 busy cores",
        "python benchmarks/child.py --impl liteflow --workload chain --size 1000 --profile 25",
        "python benchmarks/timeline.py --variant liteflow   # async_io, phase by phase",
        "```",
        "",
    ]
    return "\n".join(lines)


def render_targets(session: Session) -> list[str]:
    lines = [
        "## Targets (liteflow)",
        "",
        "| workload | metric | target | liteflow | reference | plain | reference / liteflow"
        " | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in TARGETS:
        measured = (
            bool(session.imports)
            if t.workload == "import"
            else any(k[1] == t.workload for k in session.results)
        )
        if not measured:
            continue
        lf = metric_value(session, "liteflow", t.workload, t.key)
        ref_impl, ref_workload = t.reference()
        ref = metric_value(session, ref_impl, ref_workload, t.key)
        plain = metric_value(session, "plain", t.workload, t.key)
        if t.limit is not None:
            target = f"≤ {t.limit:g} {t.unit}"
            ok = None if lf is None else lf <= t.limit
        else:
            assert t.speedup is not None
            target = f"≥ {t.speedup:g}× faster than {t.against_label}"
            ok = None if lf is None or ref is None or lf == 0 else ref / lf >= t.speedup
        if session.quick:
            met = "n/a (quick)"
        elif ok is None:
            met = "no result"
        else:
            met = "✅ yes" if ok else "❌ no"
        digits = 3 if t.unit == "s" else 2
        ref_cell = "–" if ref is None else f"{num(ref, digits)} ({t.against_label})"
        lines.append(
            f"| {t.workload} | {t.metric} ({t.unit}) | {target} | {num(lf, digits)} | {ref_cell}"
            f" | {num(plain, digits)} | {ratio(ref, lf)} | {met} |"
        )
    lines += [
        "",
        "Targets are checked on the fastest process of each implementation (the tables"
        " below give medians and ranges); speed-ups against the reference measured in this"
        " run, likewise its fastest process: on a slower or busier machine both absolute"
        " figures grow, their ratio much less. *plain* is the hand-written lower bound (for"
        " the durable workloads: one msgpack row per superstep in its own SQLite"
        " transaction, or PostgreSQL autocommit INSERT).",
    ]
    return [*lines, ""]


def render_workload(session: Session, name: str) -> list[str]:
    w = WORKLOADS[name]
    size = workload_size(session, name)
    lines = [f"## {name} (N={size})", "", f"{w.description}.", ""]
    lf = median_or_none(values(session, "liteflow", name, size, "per_unit_us"))
    if name in ("build", "compile"):
        header = ("| implementation | µs per node | first µs/node | total ms | peak RSS MB"
                  " | vs liteflow |")
    elif name == "big_state":
        header = (
            "| implementation | µs per superstep | first run µs/superstep | peak allocated / data"
            " | RSS growth / data | peak RSS MB | vs liteflow |"
        )
    elif name == "async_io":
        header = (
            f"| implementation | wall ms (ideal {ASYNC_SLEEP_S * 1000:g}) | × ideal "
            "| µs per branch | first run ms | build ms | peak RSS MB | vs liteflow |"
        )
    else:
        header = (
            f"| implementation | µs per {w.unit} | CPU µs per {w.unit} | first run µs/{w.unit}"
            " | build ms | peak RSS MB | vs liteflow |"
        )
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for impl in session.impls:
        key = (impl, name, size)
        if key not in session.results:
            continue
        per_unit = values(session, impl, name, size, "per_unit_us")
        rss = [v / 1024 for v in values(session, impl, name, size, "maxrss_kb")]
        vs = ratio(median_or_none(per_unit), lf)
        if not per_unit:
            errors = {str(r.get("error")) for r in session.results[key]}
            lines.append(f"| {impl} | failed: {'; '.join(sorted(errors))} |")
            continue
        if name in ("build", "compile"):
            total = [v * 1000 for v in values(session, impl, name, size, "build_s")]
            row = [
                fmt_stats(per_unit),
                fmt_stats(values(session, impl, name, size, "first_per_unit_us")),
                fmt_stats(total, 1),
                fmt_stats(rss, 0),
                vs,
            ]
        elif name == "big_state":
            row = [
                fmt_stats(per_unit),
                fmt_stats(values(session, impl, name, size, "first_per_unit_us")),
                fmt_stats(values(session, impl, name, size, "memory.peak_growth_ratio")),
                fmt_stats(values(session, impl, name, size, "memory.rss_growth_ratio")),
                fmt_stats(rss, 0),
                vs,
            ]
        elif name == "async_io":
            wall = values(session, impl, name, size, "run_s")
            first = [v * 1000 for v in values(session, impl, name, size, "first_run_s")]
            build = [v * 1000 for v in values(session, impl, name, size, "build_s")]
            row = [
                fmt_stats([v * 1000 for v in wall], 1),
                fmt_stats([v / ASYNC_SLEEP_S for v in wall]),
                fmt_stats(per_unit),
                fmt_stats(first, 1),
                fmt_stats(build, 1),
                fmt_stats(rss, 0),
                vs,
            ]
        else:
            build = [v * 1000 for v in values(session, impl, name, size, "build_s")]
            row = [
                fmt_stats(per_unit),
                fmt_stats(values(session, impl, name, size, "cpu_per_unit_us")),
                fmt_stats(values(session, impl, name, size, "first_per_unit_us")),
                fmt_stats(build, 1),
                fmt_stats(rss, 0),
                vs,
            ]
        lines.append(f"| {impl} | " + " | ".join(row) + " |")
    lines.append("")
    if name == "big_state":
        data = values(session, session.impls[0], name, size, "memory.data_bytes")
        if data:
            lines += [
                f"Data: {size} strings of 50 KB = {statistics.median(data) / 1e6:.2f} MB."
                " *Peak allocated* is tracemalloc's peak over the first run (everything the run"
                " allocated, data included) divided by the data size; *RSS growth* is the"
                " resident-set growth over that run, divided likewise.",
                "",
            ]
    if name == "async_io":
        lines += [
            "Event loops: liteflow's `run()` drives a flow with async nodes on uvloop when it is"
            " installed (a dependency on Linux and macOS; `LITEFLOW_EVENT_LOOP=asyncio` selects"
            " asyncio's loop); the plain lower bound and LangGraph run on `asyncio.run`'s loop.",
            "",
            *render_timeline(session),
        ]
    if w.more_sizes:
        lines += render_growth(session, name)
    if name in ("chain", "loop", "big_state"):
        reported = {
            r.get("supersteps_reported")
            for r in session.results.get(("liteflow", name, size), [])
            if r.get("correct")
        } - {None}
        expected = w.units(size)
        if reported and reported != {expected}:
            lines += [
                f"Note: liteflow reported {sorted(reported)} supersteps, expected {expected}.",
                "",
            ]
    return lines


def render_growth(session: Session, name: str) -> list[str]:
    """The per-unit cost of a workload at each size it ran, and how it grows with N."""
    sizes = sorted({size for (_, w, size) in session.results if w == name})
    if len(sizes) < 2:
        return []
    unit = WORKLOADS[name].unit
    lines = [
        f"µs per {unit} by N (a flat row: the cost of a {unit} does not grow with N). The"
        " exponent is k in total CPU time ∝ N^k, from the smallest and the largest N (CPU"
        " time: less sensitive than wall time to other load on the machine):",
        "",
        "| implementation | " + " | ".join(f"N={n}" for n in sizes) + " | exponent |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    for impl in session.impls:
        cpu = {n: median_or_none(values(session, impl, name, n, "cpu_per_unit_us")) for n in sizes}
        cells = [fmt_stats(values(session, impl, name, n, "per_unit_us")) for n in sizes]
        lo, hi = cpu[sizes[0]], cpu[sizes[-1]]
        exponent = (
            f"{1 + math.log(hi / lo) / math.log(sizes[-1] / sizes[0]):.2f}" if lo and hi else "–"
        )
        lines.append(f"| {impl} | " + " | ".join(cells) + f" | {exponent} |")
    return [*lines, ""]


#: The rows of each durable workload's table: (implementation, workload, label).
DURABLE_ROWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "durable_append": (
        ("liteflow", "durable_append", "liteflow (SQLite, default `fsync=False`)"),
        ("liteflow", "durable_append_fsync", "liteflow (SQLite, `fsync=True`)"),
        ("langgraph", "durable_append", "LangGraph SqliteSaver, default channels"),
        ("langgraph", "durable_append_delta", "LangGraph SqliteSaver, `DeltaChannel`"),
        ("plain", "durable_append", "plain (one msgpack row per superstep)"),
        ("liteflow", "durable_append_pg", "liteflow (PostgreSQL, random letters)"),
        ("plain", "durable_append_pg", "plain (PostgreSQL, one row per superstep, random letters)"),
    ),
    "durable_tiny": (
        ("liteflow", "durable_tiny", "liteflow (SQLite, default `fsync=False`)"),
        ("langgraph", "durable_tiny", "LangGraph SqliteSaver"),
        ("plain", "durable_tiny", "plain (one msgpack row per superstep)"),
        ("liteflow", "durable_tiny_pg", "liteflow (PostgreSQL)"),
        ("plain", "durable_tiny_pg", "plain (PostgreSQL, one row per superstep)"),
    ),
}
DURABLE_VARIANT_OF = {"durable_append_delta": "durable_append",
                      "durable_append_fsync": "durable_append",
                      "durable_append_pg": "durable_append",
                      "durable_tiny_pg": "durable_tiny"}


def render_durable(session: Session, name: str) -> list[str]:
    rows = [r for r in DURABLE_ROWS[name] if (r[0], r[1], workload_size(session, r[1]))
            in session.results]
    if not rows:
        return []
    w = WORKLOADS[name]
    size = workload_size(session, name)
    lines = [f"## {name} (N={size})", "", f"{w.description}.", ""]
    header = (
        "| implementation | µs per superstep | CPU µs per superstep | first run µs/superstep"
        " | database MiB | bytes per superstep | read back ms (first) | read back ms (best of"
        " 3) | peak RSS MB | vs liteflow |"
    )
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    lf = median_or_none(values(session, "liteflow", name, size, "per_unit_us"))
    synchronous: set[float] = set()
    for impl, workload, label in rows:
        size = workload_size(session, workload)
        key = (impl, workload, size)

        def v(field: str, impl: str = impl, workload: str = workload, size: int = size
              ) -> list[float]:
            return values(session, impl, workload, size, field)

        per_unit = v("per_unit_us")
        if not per_unit:
            errors = {str(r.get("error")) for r in session.results[key]}
            lines.append(f"| {label} | failed: {'; '.join(sorted(errors))} |")
            continue
        if impl == "langgraph":
            synchronous.update(v("storage.synchronous"))
        row = [
            fmt_stats(per_unit, 1),
            fmt_stats(v("cpu_per_unit_us"), 1),
            fmt_stats(v("first_per_unit_us"), 1),
            fmt_stats(v("storage.db_mib"), 2),
            fmt_stats(v("storage.bytes_per_unit"), 0),
            fmt_stats(v("storage.read_first_ms"), 1),
            fmt_stats(v("storage.read_ms"), 1),
            fmt_stats([x / 1024 for x in v("maxrss_kb")], 0),
            ratio(median_or_none(per_unit), lf),
        ]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    fsync = median_or_none(values(session, "liteflow", "durable_append_fsync",
                                  workload_size(session, "durable_append_fsync"), "per_unit_us"))
    if name == "durable_append" and fsync is not None:
        against = []
        for workload, label in (("durable_append", "SqliteSaver"),
                                ("durable_append_delta", "`DeltaChannel`")):
            lg = median_or_none(values(session, "langgraph", workload,
                                       workload_size(session, workload), "per_unit_us"))
            if lg is not None:
                against.append(f"{ratio(lg, fsync)} faster than {label}")
        if against:
            lines += [
                "",
                "With an fsync per commit on both sides (liteflow `fsync=True`, LangGraph's"
                " default), liteflow is " + " and ".join(against) + " per superstep.",
            ]
    sync_names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    lg_sync = ", ".join(sync_names.get(int(x), str(x)) for x in sorted(synchronous)) or "?"
    lines += [
        "",
        "Each run writes a fresh database file; the time of a run includes opening it and"
        " creating the schema (liteflow: `with_options(checkpointer=\"sqlite:///…\")`;"
        " LangGraph: `compile(checkpointer=SqliteSaver(conn))`). *Database* is the file plus"
        " its WAL after `PRAGMA wal_checkpoint(TRUNCATE)` (the same bytes as the file and WAL"
        " the run left, laid out in the file); *bytes per superstep* is that size divided by"
        " N. *Read back*: liteflow `SqliteCheckpointer(path).load(thread)` (the state folded"
        " from the step records), LangGraph `graph.get_state(config)` on a new connection,"
        " plain: folding its rows; each checked against the expected final state. SQLite"
        f" `synchronous`: liteflow NORMAL by default (FULL with `fsync=True`), LangGraph's"
        f" connection {lg_sync} (SQLite's default: an fsync per commit), plain NORMAL."
        " *PostgreSQL rows* (with `LITEFLOW_BENCH_PG_DSN`): each run on a fresh database,"
        " made before the timed runs; *database* is then `pg_total_relation_size` summed over"
        " its tables (heap, TOAST and indexes) as the run left them, and the appended strings"
        " are random letters (TOAST compression would shrink a repeated letter to a few"
        " percent); read back is `PostgresCheckpointer(dsn).load(thread)`; the plain bound"
        " inserts one BYTEA row per superstep in autocommit (one round trip).",
        "",
    ]
    return lines


def render_timeline(session: Session) -> list[str]:
    """Where async_io's wall time goes, from timestamps inside the branches."""
    if not session.timelines:
        return []
    phases = list(next(iter(session.timelines.values()))[0]["phases"])
    lines = [
        "Where the time goes (`benchmarks/timeline.py`: timestamps inside the branches; each"
        " process reports its fastest run; ms, median and min–max over processes). The tasks'"
        " first steps overlap the sleep, so the phases add up to the wall time:",
        "",
        "| variant | " + " | ".join(phases) + " | total |",
        "|---|" + "---|" * (len(phases) + 1),
    ]
    for variant in TIMELINE_VARIANTS:
        results = session.timelines.get(variant)
        if not results:
            continue
        cells = [fmt_stats([r["phases"][p] * 1e3 for r in results], 1) for p in phases]
        cells.append(fmt_stats([r["total"] * 1e3 for r in results], 1))
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_sweep(session: Session) -> list[str]:
    sizes = sorted({size for (_, w, size) in session.results if w == "chain"})
    if len(sizes) < 2:
        return []
    lines = [
        "## Chain sweep: µs per superstep by chain length",
        "",
        "A flat row means the per-step cost does not grow with the graph.",
        "",
        "| N | " + " | ".join(session.impls) + " | LangGraph / liteflow |",
        "|---|" + "---|" * (len(session.impls) + 1),
    ]
    for size in sizes:
        meds = {
            impl: median_or_none(values(session, impl, "chain", size, "per_unit_us"))
            for impl in session.impls
        }
        cells = [
            fmt_stats(values(session, impl, "chain", size, "per_unit_us")) for impl in session.impls
        ]
        lines.append(
            f"| {size} | "
            + " | ".join(cells)
            + f" | {ratio(meds.get('langgraph'), meds.get('liteflow'))} |"
        )
    marginals = []
    for impl in session.impls:
        points = [
            (size, statistics.median(runs))
            for size in sizes
            if (runs := values(session, impl, "chain", size, "run_s"))
        ]
        if len(points) >= 4:
            (n0, t0), (n1, t1) = points[0], points[1]
            (n2, t2), (n3, t3) = points[-2], points[-1]
            first = (t1 - t0) / (n1 - n0) * 1e6
            last = (t3 - t2) / (n3 - n2) * 1e6
            marginals.append(f"{impl} {first:.2f} µs (N {n0}→{n1}) and {last:.2f} µs (N {n2}→{n3})")
    if marginals:
        lines += [
            "",
            "Marginal cost of one more step (difference of median run times over difference"
            " of N), between the two smallest and the two largest chains: "
            + "; ".join(marginals)
            + ". Equal numbers mean a constant per-step cost; a per-run fixed cost only"
            " raises the rows of small N.",
        ]
    return [*lines, ""]


def render_imports(session: Session) -> list[str]:
    if not session.imports:
        return []
    lines = [
        "## Import time (fresh process, seconds)",
        "",
        "| implementation | statement | seconds |",
        "|---|---|---|",
    ]
    for impl in session.impls:
        lines.append(
            f"| {impl} | `import {IMPORT_MODULES[impl]}` | {fmt_stats(session.imports[impl], 3)} |"
        )
    lines.append("")
    breakdown = session.import_breakdown
    if breakdown:
        lines += [
            "Where `import liteflow` spends its time (one `python -X importtime` run): the"
            " largest packages it loads (cumulative) and its own slowest modules (self time).",
            "",
            "| package loaded | seconds | liteflow module | seconds |",
            "|---|---|---|---|",
        ]
        deps, own = breakdown.get("deps", []), breakdown.get("own", [])
        for k in range(max(len(deps), len(own))):
            d = f"{deps[k][0]} | {deps[k][1]:.3f}" if k < len(deps) else " | "
            o = f"{own[k][0]} | {own[k][1]:.3f}" if k < len(own) else " | "
            lines.append(f"| {d} | {o} |")
        lines.append("")
    return lines


# ---- entry point ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke mode: tiny sizes, one run")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections (default: all of {','.join(SECTIONS)})",
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per cell")
    parser.add_argument("--sweep-runs", type=int, default=3, help="processes per sweep cell")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per process (max)")
    parser.add_argument("--budget", type=float, default=1.0, help="warm-run seconds per process")
    parser.add_argument(
        "--impls", default=",".join(IMPLS), help="comma-separated implementations to run"
    )
    parser.add_argument(
        "--out",
        default=None,
        help="Markdown report (default: benchmarks/RESULTS.md; "
        "in --quick mode the report is printed instead)",
    )
    parser.add_argument("--json", default=None, help="also write the raw results as JSON")
    parser.add_argument(
        "--from-json",
        default=None,
        metavar="PATH",
        help="measure nothing: render the report from a --json file of an earlier run",
    )
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    args.impls = [s.strip() for s in args.impls.split(",") if s.strip()]
    unknown = [s for s in args.only if s not in SECTIONS] + [
        i for i in args.impls if i not in IMPLS
    ]
    if unknown:
        parser.error(f"unknown section or implementation: {', '.join(unknown)}")
    if args.quick:
        args.runs = 1
    if args.out is None and not args.quick:
        args.out = os.path.join(HERE, "RESULTS.md")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as f:
            session = Session.from_json(json.load(f))
    else:
        session = run_session(args)
        session.argv = argv
    report = render(session)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(report)
        log(f"wrote {args.out}")
    else:
        print(report)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(session.to_json(), f, indent=1)
    for failure in session.failures:
        log(f"FAILED {failure}")
    return 1 if session.failures else 0


if __name__ == "__main__":
    sys.exit(main())
