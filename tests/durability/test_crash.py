"""Crash safety, shown by killing processes: at random moments (SIGKILL), at exact points
of the commit protocol, and with two processes resuming one thread at once."""

from __future__ import annotations

import multiprocessing
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from liteflow.checkpoint import open_checkpointer

from .crashflows import run_or_resume, 压力

PG_DSN = os.environ.get("LITEFLOW_TEST_PG_DSN")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], tuple[str, str]]:
    """`store(name)` → (url, thread) of a fresh thread on SQLite or PostgreSQL."""
    if request.param == "postgres" and PG_DSN is None:
        if os.environ.get("LITEFLOW_TEST_PG_REQUIRED") == "1":
            pytest.fail("LITEFLOW_TEST_PG_REQUIRED=1 but LITEFLOW_TEST_PG_DSN is not set")
        pytest.skip("PostgreSQL tests need LITEFLOW_TEST_PG_DSN=postgresql://... (a server)")

    def fresh(name: str) -> tuple[str, str]:
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / name}.db", THREAD
        assert PG_DSN is not None
        return PG_DSN, f"{THREAD}-{name}-{uuid.uuid4().hex[:8]}"

    return fresh

# The acceptance bar is 100 trials (`LITEFLOW_CRASH_TRIALS=100`, as CI runs it).
TRIALS = int(os.environ.get("LITEFLOW_CRASH_TRIALS", "10"))
ROUNDS = 12
KILLS = 3  # per trial, at random moments; then the thread is left to finish
THREAD = "压力-线程"


@pytest.fixture(scope="module")
def processes() -> Any:
    # A fork server that has liteflow and the flow imported: each killed process starts
    # in milliseconds, as a fresh single-threaded fork.
    # The server imports the flow's module under the name this test uses for it.
    tests = str(Path(__file__).resolve().parents[1])
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (tests, before) if p)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["liteflow", "liteflow.checkpoint", __package__ + ".crashflows"])
    yield ctx
    if before is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = before


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return 压力.run(i=0, h="种子", rounds=ROUNDS).final_state.to_dict()


def _stored(url: str, thread: str) -> tuple[dict[str, Any], str]:
    store = open_checkpointer(url)
    try:
        loaded = store.load(thread)
        return loaded.values, loaded.status
    finally:
        store.close()


def _child(ctx: Any, url: str, thread: str, env: dict[str, str] | None = None) -> Any:
    proc = ctx.Process(target=run_or_resume, args=(url, thread, ROUNDS, env))
    proc.start()
    return proc


def test_killed_at_random_moments_the_thread_ends_as_if_never_killed(
        store: Any, processes: Any, expected: dict[str, Any]) -> None:
    rng = random.Random(20261201)
    # How long an uninterrupted process takes here (the second time: the first also starts
    # the fork server): kills land anywhere inside that.
    window = 0.0
    for name in ("warm-up", "baseline"):
        url, thread = store(name)
        started = time.perf_counter()
        proc = _child(processes, url, thread)
        proc.join(timeout=120)
        assert proc.exitcode == 0
        window = time.perf_counter() - started
    kills = 0
    for trial in range(TRIALS):
        url, thread = store(f"trial-{trial}")
        for _kill in range(KILLS):
            proc = _child(processes, url, thread)
            proc.join(timeout=rng.uniform(0.02, 1.0) * window)
            if proc.exitcode is None:
                proc.kill()  # SIGKILL: no cleanup of any kind
                proc.join()
                kills += 1
            else:
                assert proc.exitcode == 0
        proc = _child(processes, url, thread)  # then it may finish
        proc.join(timeout=120)
        assert proc.exitcode == 0
        values, status = _stored(url, thread)
        assert status == "completed"
        # The APPEND log names every superstep: a repeated one shows as a duplicate, a
        # skipped one as a gap; the hash chain differs if any write was lost or doubled.
        assert values["log"] == expected["log"], f"trial {trial}"
        assert values == expected, f"trial {trial}"
    assert kills >= TRIALS  # the processes really were killed, mostly mid-run


@pytest.mark.parametrize("point", ["1:before_commit", "1:after_commit", "3:before_commit",
                                   "3:after_commit", "6:after_commit", "2:after_pending:左",
                                   "4:after_pending:映射", "0:before_commit",
                                   "0:after_commit"])
def test_killed_at_each_point_of_the_commit_protocol(store: Any, tmp_path: Path,
                                                     processes: Any, expected: dict[str, Any],
                                                     point: str) -> None:
    url, thread = store("points")
    trace = tmp_path / "trace.txt"
    proc = _child(processes, url, thread, {"LITEFLOW_TEST_CRASH": point,
                                           "CRASHFLOWS_TRACE": str(trace)})
    proc.join(timeout=30)
    assert proc.exitcode == -9  # it killed itself exactly there
    if point == "0:before_commit":
        # The thread is created in the transaction of its step 0: nothing of it is left.
        opened = open_checkpointer(url)
        try:
            assert opened.head(thread) is None
        finally:
            opened.close()
    proc = _child(processes, url, thread, {"CRASHFLOWS_TRACE": str(trace)})
    proc.join(timeout=30)
    assert proc.exitcode == 0
    values, status = _stored(url, thread)
    assert (values, status) == (expected, "completed")
    calls = Counter(trace.read_text(encoding="utf-8").split())
    if point == "2:after_pending:左":
        # 左 of the interrupted superstep had finished and was stored: not run again.
        assert calls["左0"] == 1
    assert all(calls[f"左{i}"] >= 1 for i in range(ROUNDS))


def test_two_processes_resuming_one_thread_one_wins_the_other_changes_nothing(
        store: Any, processes: Any, expected: dict[str, Any]) -> None:
    url, thread = store("race")
    proc = _child(processes, url, thread, {"LITEFLOW_TEST_CRASH": "2:after_commit"})
    proc.join(timeout=30)
    assert proc.exitcode == -9
    first, second = _child(processes, url, thread), _child(processes, url, thread)
    first.join(timeout=60)
    second.join(timeout=60)
    codes = sorted([first.exitcode, second.exitcode])
    assert codes in ([0, 3], [0, 0]), codes
    values, status = _stored(url, thread)
    assert (values, status) == (expected, "completed")
