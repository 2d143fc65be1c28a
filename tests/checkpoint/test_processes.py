"""Crash safety and fencing with real processes: SIGKILL at exact points, two racing runners."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from liteflow.checkpoint import open_checkpointer

CHILD = Path(__file__).with_name("journal_child.py")
ROOT = Path(__file__).resolve().parents[2]


KILL_TRIALS = int(os.environ.get("LITEFLOW_TEST_KILL_TRIALS", "1"))


def child(url: str, thread_id: str, mode: str, arg: str, *, crash: str | None = None,
          **env_extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_extra}
    env.pop("LITEFLOW_TEST_CRASH", None)
    if crash:
        env["LITEFLOW_TEST_CRASH"] = crash
    return subprocess.Popen([sys.executable, str(CHILD), url, thread_id, mode, arg], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@pytest.mark.parametrize(("point", "head", "pending"), [
    ("before_commit", 2, {(1, 0): {"乙的结果": 3}}),
    ("after_commit", 3, {}),
    ("after_pending", 2, {(1, 0): {"乙的结果": 3}}),
])
def test_sigkill_at_each_crash_point(durable_url: str, point: str, head: int,
                                     pending: dict[tuple[int, int], object]) -> None:
    thread_id = f"崩溃-{uuid.uuid4().hex[:8]}"
    code, out, err = finish(child(durable_url, thread_id, "run", "6", crash=f"3:{point}"))
    assert code == -signal.SIGKILL, err
    store = open_checkpointer(durable_url)
    try:
        loaded = store.load(thread_id)
        assert loaded.step == head and loaded.values == {"日志": list(range(1, head + 1))}
        assert loaded.pending == pending
        # Resuming finishes the thread: no step applied twice, none lost.
        code, out, err = finish(child(durable_url, thread_id, "run", "6"))
        assert code == 0 and out.split() == ["ready", "done"], err
        done = store.load(thread_id)
        assert done.values == {"日志": [1, 2, 3, 4, 5, 6]} and done.status == "completed"
        assert [i.step for i in store.history(thread_id)] == list(range(7))
    finally:
        store.close()


def test_two_processes_resume_one_thread_one_wins(durable_url: str, tmp_path: Path) -> None:
    thread_id = f"抢-{uuid.uuid4().hex[:8]}"
    code, _, err = finish(child(durable_url, thread_id, "run", "2"))
    assert code == 0, err
    go = tmp_path / "go"
    racers = [child(durable_url, thread_id, "race", str(go)) for _ in range(2)]
    store = open_checkpointer(durable_url)
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("go.ready.*"))) < 2:  # both have loaded head 2
            assert time.monotonic() < deadline and all(p.poll() is None for p in racers)
            time.sleep(0.01)
        go.touch()  # release them together
        results = [finish(p) for p in racers]
        assert all(code == 0 for code, _, _ in results), [e for _, _, e in results]
        outcomes = sorted(out.split()[-1] for _, out, _ in results)
        assert outcomes == ["conflict", "won"]
        loaded = store.load(thread_id)
        assert loaded.step == 3 and len(loaded.values["日志"]) == 3
        assert loaded.pending == {}  # the loser left nothing behind
        assert [i.step for i in store.history(thread_id)] == [0, 1, 2, 3]
    finally:
        store.close()


def test_processes_starting_at_once_create_the_schema_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / '并发.db'}"
    procs = [child(url, f"t{i}", "run", "3") for i in range(4)]
    results = [finish(p) for p in procs]
    assert all(code == 0 for code, _, _ in results), [e for _, _, e in results]
    store = open_checkpointer(url)
    try:
        assert sorted(t.thread_id for t in store.threads()) == ["t0", "t1", "t2", "t3"]
    finally:
        store.close()


@pytest.mark.parametrize("durability", ["sync", "async"])
def test_killed_at_random_moments_the_log_has_no_gap_and_no_duplicate(
        durable_url: str, durability: str) -> None:
    """SIGKILL a random 5-300 ms after the child opened the thread, resume, repeat: the
    thread still reaches exactly 1..N (a duplicate or a gap would show in the log)."""
    import random

    rng = random.Random(f"{durable_url}{durability}")
    steps = 40
    store = open_checkpointer(durable_url)
    try:
        for trial in range(KILL_TRIALS):
            thread_id = f"随机-{trial}-{uuid.uuid4().hex[:6]}"
            kills, code = 0, None
            while code != 0:
                proc = child(durable_url, thread_id, "run", str(steps),
                             LF_CHILD_DURABILITY=durability, LF_CHILD_PAUSE="0.003")
                assert proc.stdout is not None
                proc.stdout.readline()  # "ready", or "" if it already exited
                if kills < 5:  # then let it finish, so a slow machine still ends the test
                    try:
                        proc.wait(timeout=rng.uniform(0.005, 0.3))
                    except subprocess.TimeoutExpired:
                        proc.send_signal(signal.SIGKILL)
                        kills += 1
                code, _, err = finish(proc)
                assert code in (0, -signal.SIGKILL), err
            loaded = store.load(thread_id)
            assert loaded.values == {"日志": list(range(1, steps + 1))}, kills
            assert loaded.status == "completed"
            assert [i.step for i in store.history(thread_id)] == list(range(steps + 1))
    finally:
        store.close()
