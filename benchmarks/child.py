"""Run one workload of one implementation in this (fresh) process and print a JSON result.

Usage (normally invoked by ``run.py``)::

    python benchmarks/child.py --impl liteflow --workload chain --size 1000
    python benchmarks/child.py --impl liteflow --workload chain --size 1000 --profile 25

The last line of stdout is the JSON result. With ``--profile N`` the warm runs are profiled
with cProfile and the top N functions by own time are printed to stderr.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import sys
import time
import traceback
import tracemalloc
from collections.abc import Callable
from types import ModuleType
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from workloads.common import (  # noqa: E402
    WORKLOADS,
    checkpoint_wal,
    db_files_bytes,
    remove_db,
)

#: Read-backs of a durable thread after the first one; the best is reported.
READ_REPEAT = 3


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _check(mod: ModuleType, workload: str, size: int, raw: Any) -> None:
    WORKLOADS[workload].check(mod.final_state(raw), size)


def _print_profile(profiler: Any, top: int) -> None:
    import pstats

    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)


def _best_of(make: Callable[[], Any], repeat: int, budget: float, out: dict[str, Any]) -> Any:
    """Time `make()` once (the first build), then up to `repeat` more times within `budget`
    seconds, each after a collection; `build_s` is the best of those, as for the runs."""
    gc.collect()
    first, built = _timed(make)
    times = [first]
    for _ in range(repeat):
        if sum(times) >= budget:
            break
        del built
        gc.collect()
        elapsed, built = _timed(make)
        times.append(elapsed)
    out["first_run_s"] = first
    out["runs_s"] = times
    out["build_s"] = out["run_s"] = min(times)
    return built


def _measure_build(mod: ModuleType, size: int, repeat: int, budget: float, profile: int,
                   out: dict[str, Any]) -> None:
    mod.build_chain(10)  # prime lazy imports and caches, as any real program would have
    # Distinct functions (untimed) where the implementation builds from them.
    if hasattr(mod, "step_functions"):
        functions = mod.step_functions(size)

        def make() -> Any:
            return mod.build_chain_from(functions)
    else:
        def make() -> Any:
            return mod.build_chain(size)
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        built = _best_of(lambda: profiler.runcall(make), repeat, budget, out)
        _print_profile(profiler, profile)
    else:
        built = _best_of(make, repeat, budget, out)
    WORKLOADS["build"].check({"nodes": mod.node_count(built)}, size)


def _measure_compile(mod: ModuleType, size: int, repeat: int, budget: float,
                     out: dict[str, Any]) -> None:
    mod.compile_chain(mod.prepare_chain(10))  # prime lazy imports and caches
    prepared = mod.prepare_chain(size)
    built = _best_of(lambda: mod.compile_chain(prepared), repeat, budget, out)
    WORKLOADS["compile"].check({"nodes": mod.node_count(built)}, size)


def _measure_memory(mod: ModuleType, workload: str, size: int, out: dict[str, Any]) -> None:
    """First run under tracemalloc: how much memory the run allocates beyond its data."""
    runner = getattr(mod, f"run_{workload}")
    built = out.pop("_built")
    gc.collect()
    rss_before = _rss_bytes()
    tracemalloc.start()
    raw = runner(built)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = _rss_bytes()
    _check(mod, workload, size, raw)
    blobs = mod.final_state(raw)["blobs"]
    data = sum(sys.getsizeof(b) for b in blobs)
    out["memory"] = {
        "data_bytes": data,
        "traced_peak_bytes": peak,
        "traced_retained_bytes": current,
        "rss_delta_bytes": rss_after - rss_before,
        "peak_growth_ratio": peak / data,
        "rss_growth_ratio": (rss_after - rss_before) / data,
    }
    out["_built"] = built


def _measure_runs(
    mod: ModuleType,
    workload: str,
    size: int,
    repeat: int,
    budget: float,
    profile: int,
    out: dict[str, Any],
) -> Any:
    """The first and the warm runs; returns the last run's result for durable workloads
    (whose database is kept for `_measure_storage`; the others' are deleted)."""
    runner = getattr(mod, f"run_{workload}")
    durable = WORKLOADS[workload].durable
    batch = WORKLOADS[workload].batch
    built = out.pop("_built")
    gc.collect()
    # For big_state the traced run of _measure_memory came first; this is its first untraced run.
    out["first_run_s"], raw = _timed(lambda: runner(built))
    _check(mod, workload, size, raw)
    out["supersteps_reported"] = mod.supersteps(raw)
    if durable:
        remove_db(raw.path)
    del raw
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    times: list[float] = []
    cpu_times: list[float] = []
    last = None
    if batch > 1:
        # Small flows: one untimed batch first, and no forced collection between samples
        # (it slows the next hundred runs by a quarter): the steady state of a program
        # that runs a small flow again and again.
        _batched(runner, built, batch)
    for _ in range(repeat):
        if last is not None:
            remove_db(last.path)
            last = None
        if batch == 1:
            gc.collect()
        if profiler is not None:
            profiler.enable()
        cpu_start = time.process_time()
        elapsed, raw = _timed(lambda: _batched(runner, built, batch))
        cpu_times.append((time.process_time() - cpu_start) / batch)
        if profiler is not None:
            profiler.disable()
        times.append(elapsed / batch)
        _check(mod, workload, size, raw)
        if durable:
            last = raw
        del raw
        if sum(times) * batch >= budget:
            break
    if profiler is not None:
        _print_profile(profiler, profile)
    # Best of the warm runs: the least disturbed by anything else running on the machine.
    out["runs_s"] = times
    out["run_s"] = min(times)
    out["cpu_s"] = min(cpu_times)
    out["_built"] = built
    return last


def _batched(runner: Callable[[Any], Any], built: Any, batch: int) -> Any:
    """`batch` runs back to back; the last one's result."""
    for _ in range(batch - 1):
        runner(built)
    return runner(built)


def _measure_storage(mod: ModuleType, workload: str, size: int, run: Any,
                     out: dict[str, Any]) -> None:
    """A durable run's database: its size once the WAL is checkpointed into the file, and
    the time to read the thread back (first read, then the best of `READ_REPEAT` more)."""
    built = out["_built"]
    gc.collect()  # drop the run's own store, if anything still holds it
    busy = checkpoint_wal(run.path)
    db_bytes = db_files_bytes(run.path)
    reads: list[float] = []
    for _ in range(1 + READ_REPEAT):
        elapsed, state = _timed(lambda: mod.read_back(built, run))
        reads.append(elapsed)
        WORKLOADS[workload].check(state, size)
        del state
    units = WORKLOADS[workload].units(size)
    out["storage"] = {
        "db_bytes": db_bytes,
        "db_mib": db_bytes / 2**20,
        "bytes_per_unit": db_bytes / units,
        "wal_checkpoint": busy,
        "read_first_ms": reads[0] * 1e3,
        "read_ms": min(reads[1:]) * 1e3,
        "synchronous": getattr(run, "synchronous", None),
    }
    remove_db(run.path)


def _probe() -> float:
    """µs for a fixed pure-Python loop, best of 3: how fast the machine ran this process.
    On a shared host the same loop takes up to twice as long while neighbours are busy."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(20_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return best * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--impl", required=True, choices=["liteflow", "langgraph", "plain"])
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs after the first run")
    parser.add_argument(
        "--budget", type=float, default=1.0, help="stop the warm runs once they took this long (s)"
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()

    workload = WORKLOADS[args.workload]
    out: dict[str, Any] = {
        "impl": args.impl,
        "workload": args.workload,
        "size": args.size,
        "units": workload.units(args.size),
        "unit": workload.unit,
        "python": sys.version.split()[0],
        "correct": False,
        "error": None,
    }
    if args.impl == "liteflow" and ROOT not in sys.path:
        sys.path.insert(1, ROOT)  # liteflow comes from the work tree
    status = 0
    probe = _probe()
    try:
        out["import_s"], mod = _timed(
            lambda: importlib.import_module(f"workloads.{args.impl}_impl")
        )
        out["version"] = mod.version()
        if args.workload == "build":
            _measure_build(mod, args.size, args.repeat, args.budget, args.profile, out)
        elif args.workload == "compile":
            _measure_compile(mod, args.size, args.repeat, args.budget, out)
        else:
            gc.collect()
            out["build_s"], out["_built"] = _timed(
                lambda: getattr(mod, f"build_{args.workload}")(args.size)
            )
            if args.workload == "big_state":
                _measure_memory(mod, args.workload, args.size, out)
            last = _measure_runs(
                mod, args.workload, args.size, args.repeat, args.budget, args.profile, out
            )
            if last is not None:
                _measure_storage(mod, args.workload, args.size, last, out)
        out["per_unit_us"] = out["run_s"] / out["units"] * 1e6
        if "cpu_s" in out:
            out["cpu_per_unit_us"] = out["cpu_s"] / out["units"] * 1e6
        if "first_run_s" in out:
            out["first_per_unit_us"] = out["first_run_s"] / out["units"] * 1e6
        out["correct"] = True
    except Exception as exc:  # reported to the parent, which shows it in the report
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["traceback"] = traceback.format_exc(limit=8)
        status = 1
    out.pop("_built", None)
    out["probe_us"] = min(probe, _probe())
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.flush()
    print(json.dumps(out), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
