"""A child process for the crash and fencing tests: `python journal_child.py URL THREAD MODE`.

`run N`: open the thread (new or existing) and write steps up to N, each appending its
number to `日志` after a pending write of node 1; the parent may set LITEFLOW_TEST_CRASH,
LF_CHILD_DURABILITY and LF_CHILD_PAUSE (seconds per step).
`race GO_FILE`: load the head, create GO_FILE.ready.<pid>, wait for GO_FILE, then write one
pending row and the next step; prints `won` or `conflict`.
"""

from __future__ import annotations

import os
import sys
import time

from liteflow.checkpoint import Journal, NodeRun, ThreadSpec, open_checkpointer
from liteflow.core.errors import ThreadConflictError


def main() -> None:
    url, thread_id, mode, arg = sys.argv[1:5]
    store = open_checkpointer(url)
    journal = Journal(store, ThreadSpec(thread_id, "崩溃测试", None, "fp", "shape",
                                        f"pid-{os.getpid()}"), node_names=("甲", "乙"),
                      durability=os.environ.get("LF_CHILD_DURABILITY", "sync"))
    pause = float(os.environ.get("LF_CHILD_PAUSE", "0"))
    loaded = journal.open()
    print("ready", flush=True)  # the parent times its kill from here
    if loaded is None:
        journal.step(0, "input", {"日志": ("v", [])}, active=[0])
        log: list[int] = []
    else:
        log = loaded.values["日志"]
    if mode == "run":
        for k in range(journal.head + 1, int(arg) + 1):
            if loaded is not None and loaded.step == k - 1 and loaded.pending:
                # A resumed step reuses the outputs stored before the crash.
                assert loaded.pending == {(1, 0): {"乙的结果": k}}, loaded.pending
            journal.pending(k, 1, 0, {"乙的结果": k})
            time.sleep(pause)
            journal.step(k, "step", {"日志": ("a", [k])}, active=[0, 1],
                         nodes=[NodeRun("甲"), NodeRun("乙")], values={"日志": log})
            log.append(k)
        journal.finish("completed")
        print("done")
        return
    with open(f"{arg}.ready.{os.getpid()}", "w"):
        pass  # tells the parent this runner has loaded the head
    while not os.path.exists(arg):
        time.sleep(0.001)
    step = journal.head + 1
    try:
        journal.pending(step, 1, 0, {"乙的结果": os.getpid()})
        journal.step(step, "step", {"日志": ("a", [os.getpid()])}, active=[0], values={})
        print("won")
    except ThreadConflictError:
        print("conflict")
    finally:
        journal.close()
        store.close()


if __name__ == "__main__":
    main()
