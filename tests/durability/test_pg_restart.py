"""A PostgreSQL server restarted in the middle of a run, on a throwaway cluster of its own.

The flow's node waits between supersteps while the test stops the server (`pg_ctl stop -m
fast`, which drops every connection) and starts it again. The superstep in progress then
cannot commit: the run fails with a `CheckpointError` naming the store, and `resume()`
continues from the last committed superstep. Side effects are counted by
`Context.idempotency_key`: every superstep's effect is applied exactly once, the log has no
gap and no duplicate.

Needs the PostgreSQL server binaries (`initdb`, `pg_ctl`); without them the test is skipped,
except under `LITEFLOW_TEST_PG_REQUIRED=1` or `LITEFLOW_CI=1`, where it fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest
from requires import in_ci

from liteflow import START, Context, UpdateStrategy, flow, node
from liteflow.checkpoint import PostgresCheckpointer
from liteflow.core.errors import CheckpointError

STEPS = 6
PAUSE_AT = 3  # the node of superstep PAUSE_AT + 1 waits while the server restarts


class Cluster:
    """`initdb` + `pg_ctl` on 127.0.0.1 in a temporary folder (as `postgres` under root)."""

    def __init__(self, bin_dir: str) -> None:
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix="liteflow-pg-restart-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dsn = f"postgresql://liteflow@127.0.0.1:{self.port}/postgres"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres")

    def _run(self, *args: str) -> None:
        command = [os.path.join(self.bin, args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=60, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def init(self) -> None:
        self._run("initdb", "-D", f"{self.dir}/data", "-U", "liteflow", "--auth=trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w",
                  "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except (subprocess.SubprocessError, OSError):
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


def _server_binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")])
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _server_binaries()
    usable = bin_dir is not None and (os.geteuid() != 0 or shutil.which("runuser"))
    if not usable:
        reason = "the PostgreSQL restart test needs initdb and pg_ctl (apt install postgresql)"
        if os.environ.get("LITEFLOW_TEST_PG_REQUIRED") == "1" or in_ci():
            pytest.fail(f"LITEFLOW_TEST_PG_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    assert bin_dir is not None
    made = Cluster(bin_dir)
    try:
        made.init()
        made.start()
        yield made
    finally:
        made.remove()


# ---- the flow: one node looping STEPS times, counting its side effects -----------------------

APPLIED: dict[str, int] = {}  # idempotency key -> the superstep's value, applied once
CALLS: Counter[str] = Counter()  # every call, re-executions included
WAITING = threading.Event()
RELEASE = threading.Event()


class 记出(TypedDict):
    i: int
    log: Annotated[list[int], UpdateStrategy.APPEND]


class 终出(TypedDict):
    i: int
    log: list[int]


@node
def 记账(i: int, ctx: Context) -> 记出:
    key = ctx.idempotency_key
    CALLS[key] += 1
    APPLIED.setdefault(key, i)  # an idempotent sink: a key already seen changes nothing
    if i == PAUSE_AT and not RELEASE.is_set():
        WAITING.set()
        assert RELEASE.wait(30)
    return {"i": i + 1, "log": [i]}


@flow(max_supersteps=STEPS + 5)
def 重启流程(i: int) -> 终出:
    START >> 记账
    记账 >> 记账.when(lambda out: out["i"] < STEPS)


def test_a_server_restart_mid_run_fails_the_superstep_clearly_and_resume_loses_nothing(
        cluster: Cluster) -> None:
    APPLIED.clear()
    CALLS.clear()
    WAITING.clear()
    RELEASE.clear()
    store = PostgresCheckpointer(cluster.dsn)
    app = 重启流程.with_options(thread_id="重启-线程", checkpointer=store)
    outcome: dict[str, Any] = {}

    def first_run() -> None:
        try:
            outcome["result"] = app.run(i=0)
        except Exception as error:  # what the test inspects below
            outcome["error"] = error

    runner = threading.Thread(target=first_run)
    runner.start()
    assert WAITING.wait(30), "the node never reached the pause"
    cluster.stop()  # every connection is dropped, as in a restart or a failover
    cluster.start()
    RELEASE.set()
    runner.join(timeout=60)
    assert not runner.is_alive()

    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, CheckpointError), repr(error)
        assert cluster.dsn in str(error)  # names the store (no password to hide here)
        assert store.head("重启-线程") is not None
        result = app.resume()
    else:  # the store reconnected and committed the superstep: nothing to resume
        result = outcome["result"]
    store.close()

    assert result.final_state["i"] == STEPS
    assert result.final_state["log"] == list(range(STEPS))  # no gap, no duplicate
    reader = PostgresCheckpointer(cluster.dsn)
    try:
        loaded = reader.load("重启-线程")
        steps = [info.step for info in reader.history("重启-线程")]
    finally:
        reader.close()
    assert loaded.status == "completed" and loaded.values["log"] == list(range(STEPS))
    assert steps == list(range(STEPS + 1))  # each superstep committed once
    # One key per superstep, each applied once with its own value; only the superstep the
    # restart interrupted may have run twice, under the same key.
    assert sorted(APPLIED.values()) == list(range(STEPS))
    assert len(APPLIED) == STEPS
    again = [key for key, n in CALLS.items() if n > 1]
    assert all(APPLIED[key] == PAUSE_AT for key in again) and len(again) <= 1
    if "error" in outcome:
        assert again, "the interrupted superstep ran again on resume"
