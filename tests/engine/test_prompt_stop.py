"""Timeouts and Ctrl-C end the wait (SPEC §1.5, §5.7), shown with real processes and
real signals: sync work that cannot be interrupted is abandoned on a daemon thread, and
neither `run()`, the next run nor the interpreter's exit waits for it."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypedDict

import pytest

from liteflow import START, NodeError, NodeTimeoutError, flow, node
from liteflow.engine.threads import DaemonPool

# Generous bounds that still prove the behaviour: the blocked work takes 30 s (or never
# ends), and before these changes the wait lasted as long.
PROMPT = 3.0

# The flows the processes run. `$KIND` picks what blocks in superstep 1 (or 2: `durable`);
# with `$FAST` nothing blocks.
FLOWS = '''
import asyncio, os, sys, threading, time
from typing import TypedDict
from liteflow import START, NodeError, NodeTimeoutError, flow, node

KIND = os.environ["KIND"]
FAST = os.environ.get("FAST") == "1"


class 甲(TypedDict):
    a: int


class 乙(TypedDict):
    b: int


def started() -> None:
    print("started", flush=True)


@node
def 阻塞(q: int) -> 甲:
    started()
    if FAST:
        return {"a": q + 1}
    if KIND == "forever":
        threading.Event().wait()  # a thread that never returns
    time.sleep(30)
    return {"a": q + 1}


@node
async def 异步(q: int) -> 乙:
    if KIND == "to_thread":
        started()
        await asyncio.to_thread(time.sleep, 30)
    elif not FAST:
        await asyncio.sleep(30)
    return {"b": q + 2}


@node
def 同步(q: int) -> 乙:
    if not FAST:
        time.sleep(30)
    return {"b": q + 2}


@node
async def 后续(a: int) -> 乙:
    return {"b": a}


@node
def 第一步(q: int) -> 甲:
    return {"a": q * 10}


@node
def 第二步(a: int) -> 乙:
    started()
    if not FAST:
        time.sleep(30)
    return {"b": a + 1}


@node
async def 旁路(a: int) -> 甲:
    if not FAST:
        await asyncio.sleep(30)
    return {"a": a + 1}


if KIND == "allsync":  # no event loop: the calling thread works too
    @flow
    def 慢流程(q: int) -> None:
        START >> [阻塞, 同步]
elif KIND == "lone":  # one sync node, inline in the main thread
    @flow
    def 慢流程(q: int) -> None:
        START >> 阻塞
elif KIND == "inline":  # a lone sync node on the loop's own thread
    @flow
    def 慢流程(q: int) -> None:
        START >> 阻塞 >> 后续
elif KIND == "to_thread":
    @flow
    def 慢流程(q: int) -> None:
        START >> 异步
elif KIND in ("durable", "durable_sync"):  # superstep 2 blocks
    if KIND == "durable":
        @flow
        def 慢流程(q: int) -> None:
            START >> 第一步
            第一步 >> [第二步, 旁路]
    else:
        @flow
        def 慢流程(q: int) -> None:
            START >> 第一步 >> 第二步
else:  # a sync node blocking beside an async one
    @flow
    def 慢流程(q: int) -> None:
        START >> [阻塞, 异步]
'''


class _Process:
    """`python command...` with `env` added; its stdout lines arrive on `lines` as they
    are printed, its stderr is collected."""

    def __init__(self, *command: str, **env: str) -> None:
        self.proc = subprocess.Popen([sys.executable, *command], text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**os.environ, "LITEFLOW_LANG": "en", **env})
        self.lines: queue.Queue[str] = queue.Queue()
        self._err: list[str] = []
        out, err = self.proc.stdout, self.proc.stderr
        assert out is not None and err is not None
        self._readers = [threading.Thread(target=self._read, args=(out, self.lines.put)),
                         threading.Thread(target=self._read, args=(err, self._err.append))]
        for reader in self._readers:
            reader.daemon = True
            reader.start()

    @staticmethod
    def _read(stream: IO[str], put: Callable[[str], None]) -> None:
        for line in stream:
            put(line.rstrip("\n"))

    def line(self, timeout: float = 60) -> str:
        """The next stdout line (fails if none comes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
        self.proc.kill()
        pytest.fail(f"no line from the process: {self.stderr()}")

    def wait_for(self, marker: str) -> None:
        while self.line() != marker:
            pass

    def exited(self, timeout: float = 20) -> float:
        """Seconds until the process exits (fails if it does not within `timeout`)."""
        started = time.monotonic()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"still running after {timeout} s: {self.stderr()}")
        return time.monotonic() - started

    def stderr(self) -> str:
        self.proc.wait()
        for reader in self._readers:
            reader.join(5)
        return "\n".join(self._err)

    def interrupt(self) -> tuple[float, str]:
        """Ctrl-C once the node has started: (seconds until the process exited, stderr)."""
        self.wait_for("started")
        time.sleep(0.2)  # the node is inside its blocking call now
        self.proc.send_signal(signal.SIGINT)
        seconds = self.exited()
        return seconds, self.stderr()


def _stopped_uncaught(script: _Process, last_line: str) -> None:
    """Ctrl-C `script` once its node started: it stops at once, and an uncaught
    KeyboardInterrupt ends Python by SIGINT with one traceback ending in `last_line`."""
    seconds, err = script.interrupt()
    assert seconds < PROMPT, err
    assert script.proc.returncode == -signal.SIGINT, err
    assert err.count("Traceback") == 1, err
    assert err.splitlines()[-1] == last_line


def _script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "script.py"
    path.write_text(FLOWS + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "loop"), [
    ("sync", "auto"), ("sync", "asyncio"), ("to_thread", "auto"), ("to_thread", "asyncio"),
    ("forever", "auto"), ("allsync", "auto"), ("lone", "auto"), ("inline", "auto"),
    ("inline", "asyncio")])
def test_ctrl_c_stops_a_plain_script_at_once(tmp_path: Path, kind: str, loop: str) -> None:
    script = _Process(str(_script(tmp_path, "慢流程.run(q=1)\n")), KIND=kind,
                      LITEFLOW_EVENT_LOOP=loop)
    _stopped_uncaught(script, "KeyboardInterrupt: Ctrl-C stopped flow 慢流程 in superstep 1: "
                      "nothing of that superstep was applied")


def test_ctrl_c_stops_a_stream_at_once(tmp_path: Path) -> None:
    script = _Process(str(_script(tmp_path, "for event in 慢流程.stream(q=1):\n    pass\n")),
                      KIND="sync")
    _stopped_uncaught(script, "KeyboardInterrupt")


def test_except_keyboard_interrupt_still_catches_it(tmp_path: Path) -> None:
    path = _script(tmp_path, """
        try:
            慢流程.run(q=1)
        except KeyboardInterrupt as stop:
            print("caught:", stop, flush=True)
        print("threads left:", threading.active_count() - 1, flush=True)
    """)
    script = _Process(str(path), KIND="sync", LITEFLOW_LANG="zh")
    seconds, err = script.interrupt()
    assert seconds < PROMPT, err
    assert script.proc.returncode == 0, err
    assert script.line() == "caught: Ctrl-C 中止了流程 慢流程 的第 1 个超步：该超步的写入均未应用"
    # The abandoned node still sleeps on its daemon thread; the exit did not wait for it.
    assert script.line() != "threads left: 0"


def test_liteflow_run_exits_130_with_one_line(tmp_path: Path) -> None:
    path = _script(tmp_path, "")
    cli = _Process("-m", "liteflow", "run", str(path), "--input", "q=1", KIND="sync")
    seconds, err = cli.interrupt()
    assert seconds < PROMPT, err
    assert cli.proc.returncode == 130
    assert err.splitlines() == [
        "Ctrl-C stopped flow 慢流程 in superstep 1: nothing of that superstep was applied"]


@pytest.mark.parametrize("kind", ["durable", "durable_sync"])
def test_ctrl_c_in_superstep_2_keeps_superstep_1_and_resume_finishes(tmp_path: Path,
                                                                      kind: str) -> None:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    path = _script(tmp_path, f"""
        durable = 慢流程.with_options(checkpointer={url!r}, thread_id="线程")
        if sys.argv[1:] == ["resume"]:
            print("state", sorted(durable.resume().final_state.to_dict().items()), flush=True)
        else:
            durable.run(q=4)
        print("history", [i.step for i in durable.history()], flush=True)
    """)
    script = _Process(str(path), KIND=kind)
    seconds, err = script.interrupt()
    assert seconds < PROMPT, err
    assert err.splitlines()[-1] == (
        "KeyboardInterrupt: Ctrl-C stopped flow 慢流程 in superstep 2: nothing of that "
        "superstep was applied")
    again = _Process(str(path), "resume", KIND=kind, FAST="1")
    assert again.line() == "started"  # superstep 2 runs again; superstep 1 does not
    expected = [("a", 40), ("b", 41), ("q", 4)] if kind == "durable_sync" else [
        ("a", 41), ("b", 41), ("q", 4)]
    assert again.line() == f"state {expected}"
    assert again.line() == "history [0, 1, 2]"
    assert again.exited() < PROMPT
    assert again.proc.returncode == 0, again.stderr()


@pytest.mark.parametrize("kind", ["sync", "allsync"])
def test_arun_inside_asyncio_run_is_cancelled_at_once(tmp_path: Path, kind: str) -> None:
    # The caller's loop does not wait for the abandoned sync node at its shutdown either.
    path = _script(tmp_path, """
        asked = 0.0

        async def main() -> None:
            global asked
            task = asyncio.ensure_future(慢流程.arun(q=1))
            await asyncio.sleep(0.5)
            asked = time.monotonic()
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                print("cancelled after", round(time.monotonic() - asked, 2), flush=True)

        asyncio.run(main())
        print("returned after", round(time.monotonic() - asked, 2), flush=True)
    """)
    script = _Process(str(path), KIND=kind)
    script.wait_for("started")
    cancelled = script.line()
    assert cancelled.startswith("cancelled after ")
    assert float(cancelled.split()[-1]) < 1.0
    returned = script.line()
    assert returned.startswith("returned after ")
    assert float(returned.split()[-1]) < PROMPT
    assert script.exited() < PROMPT
    assert script.proc.returncode == 0, script.stderr()


def test_timeouts_end_the_wait_of_run_the_next_run_and_the_exit(tmp_path: Path) -> None:
    # Each timed node blocks 6 s (or forever) in a thread nothing can interrupt. Those that
    # never return outnumber the engine's pool workers: the next run still finds workers.
    path = tmp_path / "timeouts.py"
    path.write_text(textwrap.dedent('''
        import asyncio, threading, time
        from typing import TypedDict
        from liteflow import START, NodeError, NodeTimeoutError, flow, node
        from liteflow.engine.runner import default_executor

        class 出(TypedDict):
            x: int

        tries = []

        @node(timeout=1.0)
        async def 线程(q: int) -> 出:
            await asyncio.to_thread(time.sleep, 6)
            return {"x": 1}

        @node(timeout=1.0, retry_count=1, retry_delay=0.0)
        def 同步(q: int) -> 出:
            tries.append(q)
            time.sleep(6)
            return {"x": 1}

        def 永不返回(q: int) -> 出:
            threading.Event().wait()
            return {"x": 1}

        # More than the engine's pool has workers.
        workers = default_executor().max_workers
        卡住 = [node(timeout=1.0, name=f"卡{i}")(永不返回) for i in range(workers + 2)]

        @node
        def 快(q: int) -> 出:
            return {"x": q}

        @node(timeout=2.0)  # a timed sync node runs on the engine's pool
        def 快计时(q: int) -> 出:
            return {"x": q}

        @flow(output=出)
        def 异步流程(q: int) -> None:
            START >> 线程

        @flow(output=出)
        def 同步流程(q: int) -> None:
            START >> 同步

        @flow
        def 八路(q: int) -> None:
            START >> 卡住

        @flow(output=出)
        def 并行(q: int) -> None:
            START >> [快, 线程]

        @flow(output=出)
        def 有空位(q: int) -> None:
            START >> 快计时

        def timed(run):
            started = time.monotonic()
            try:
                run()
            except NodeError as error:
                assert isinstance(error.__cause__, NodeTimeoutError), error
                return time.monotonic() - started
            raise AssertionError("no timeout")

        for name, run in [("to_thread", lambda: 异步流程.run(q=1)),
                          ("sync", lambda: 同步流程.run(q=1)),
                          ("forever", lambda: 八路.run(q=1)),
                          ("parallel", lambda: 并行.run(q=1)),
                          ("again", lambda: 异步流程.run(q=1))]:
            print(name, round(timed(run), 2), flush=True)
        started = time.monotonic()
        assert 有空位.run(q=7).output == {"x": 7}  # the stuck threads hold no worker
        print("fresh", round(time.monotonic() - started, 2), flush=True)
        print("tries", len(tries), flush=True)
        print("done", flush=True)
    '''), encoding="utf-8")
    script = _Process(str(path))
    seen: dict[str, str] = {}
    while "done" not in seen:
        name, _, value = script.line().partition(" ")
        seen[name] = value
    assert script.exited() < PROMPT  # nobody joined the sleeping threads
    assert script.proc.returncode == 0, script.stderr()
    # A timeout at 1 s ends the run at ~1 s (with a retry at ~2 s), never at 6 s.
    for name in ("to_thread", "forever", "parallel", "again", "fresh"):
        assert float(seen[name]) < PROMPT, seen
    assert 1.9 <= float(seen["sync"]) < 2 * PROMPT - 1, seen
    assert seen["tries"] == "2"  # the attempt that timed out was retried


# -- the pool itself --------------------------------------------------------------------


def _pool_threads(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix + "_")]


def test_an_abandoned_call_gives_its_worker_back() -> None:
    pool = DaemonPool(1, thread_name_prefix="test-abandon")
    release = threading.Event()
    stuck = pool.submit(release.wait)
    while not stuck.running():
        time.sleep(0.01)
    assert not stuck.cancel()  # it runs: it cannot be cancelled, only abandoned
    started = time.monotonic()
    assert pool.submit(lambda: 42).result(timeout=5) == 42  # a new worker took it
    assert time.monotonic() - started < 1.0
    assert all(t.daemon for t in _pool_threads("test-abandon"))
    release.set()
    assert stuck.result(timeout=5) is True  # it still finishes on its own
    # Back from the abandoned call, the extra thread ends: one worker again.
    deadline = time.monotonic() + 5
    while len(_pool_threads("test-abandon")) > 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(_pool_threads("test-abandon")) == 1
    pool.shutdown()


def test_shutdown_waits_for_live_calls_only() -> None:
    pool = DaemonPool(2, thread_name_prefix="test-shutdown")
    release = threading.Event()
    stuck = pool.submit(release.wait)
    live = pool.submit(time.sleep, 0.3)
    while not (stuck.running() and live.running()):
        time.sleep(0.01)
    stuck.cancel()
    started = time.monotonic()
    pool.shutdown(wait=True)
    assert 0.25 <= time.monotonic() - started < PROMPT  # the live call, not the stuck one
    assert live.done() and not stuck.done()
    with pytest.raises(RuntimeError):
        pool.submit(time.sleep, 0)
    release.set()


def test_shutdown_can_cancel_queued_calls() -> None:
    pool = DaemonPool(1, thread_name_prefix="test-cancel")
    release = threading.Event()
    first = pool.submit(release.wait)
    queued = pool.submit(lambda: "never")
    while not first.running():
        time.sleep(0.01)
    pool.shutdown(wait=False, cancel_futures=True)
    assert queued.cancelled()
    release.set()
    assert first.result(timeout=5) is True


def test_an_asyncio_timeout_abandons_the_call() -> None:
    pool = DaemonPool(1, thread_name_prefix="test-asyncio")
    release = threading.Event()

    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(loop.run_in_executor(pool, release.wait), 0.1)
        # The only worker is stuck, yet the next call runs at once.
        return await asyncio.wait_for(
            asyncio.gather(*(loop.run_in_executor(pool, str, i) for i in range(3))), 2)

    assert asyncio.run(main()) == ["0", "1", "2"]
    release.set()
    pool.shutdown()


def test_errors_and_results_come_back() -> None:
    with DaemonPool(2, thread_name_prefix="test-results") as pool:
        assert list(pool.map(lambda n: n * n, range(10))) == [n * n for n in range(10)]
        failing = pool.submit(int, "x")
        with pytest.raises(ValueError):
            failing.result(timeout=5)


class 出(TypedDict):
    x: int


@pytest.mark.parametrize("loop", ["auto", "asyncio"])
def test_a_timed_out_run_is_not_waited_for_in_this_process(
        monkeypatch: pytest.MonkeyPatch, loop: str) -> None:
    monkeypatch.setenv("LITEFLOW_EVENT_LOOP", loop)
    release = threading.Event()
    # Released late, not never: a run that waited for it fails the bound, it does not hang.
    timer = threading.Timer(2 * PROMPT, release.set)
    timer.start()

    @node(timeout=0.3)
    async def 等待(q: int) -> 出:
        await asyncio.to_thread(release.wait)
        return {"x": q}

    @node(timeout=0.3)
    def 同步等待(q: int) -> 出:
        release.wait()
        return {"x": q}

    @flow(output=出)
    def 异步超时(q: int) -> None:
        START >> 等待

    @flow(output=出)
    def 同步超时(q: int) -> None:
        START >> 同步等待

    try:
        for timed in (异步超时, 同步超时, 异步超时):
            started = time.monotonic()
            with pytest.raises(NodeError) as info:
                timed.run(q=1)
            assert isinstance(info.value.__cause__, NodeTimeoutError)
            assert time.monotonic() - started < PROMPT
    finally:
        release.set()
        timer.cancel()


def test_ctrl_c_stops_a_builder_graph_and_says_where(tmp_path: Path) -> None:
    """`PregelEngine(graph).execute()` stops as `flow.run()` does, with the same message
    naming the graph and the superstep."""
    path = tmp_path / "graph_script.py"
    path.write_text(textwrap.dedent('''
        import time
        from liteflow.definitions import Edge, Graph, Node
        from liteflow.engine import PregelEngine

        def slow(state):
            print("started", flush=True)
            time.sleep(30)
            return {"b": 1}

        graph = Graph("构建图", [Node("准备", lambda s: {"a": 1}), Node("阻塞", slow),
                                 Node("旁边", lambda s: {"c": 2})],
                      [Edge("准备", "阻塞"), Edge("准备", "旁边")], "准备")
        PregelEngine(graph, {"x": 0}).execute()
    '''), encoding="utf-8")
    _stopped_uncaught(_Process(str(path)), "KeyboardInterrupt: Ctrl-C stopped flow 构建图 in "
                      "superstep 2: nothing of that superstep was applied")
